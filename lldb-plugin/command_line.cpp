#include "command_line.h"

#include <cctype>
#include <string_view>

namespace cpydbg::lldb_plugin {

namespace {

bool needs_quotes(std::string_view word) {
  if (word.empty()) return true;
  for (unsigned char c : word) {
    if (std::isspace(c) || c == '"' || c == '\'' || c == '\\') return true;
  }
  return false;
}

// Double quotes with backslash escapes: what both LLDB and a shell-like
// tokenizer read back as the same single word.
void append_quoted(std::string& out, std::string_view word) {
  out += '"';
  for (char c : word) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

std::string join_arguments(char** argv) {
  std::string line;
  if (!argv) return line;
  for (char** p = argv; *p; ++p) {
    if (!line.empty()) line += ' ';
    std::string_view word(*p);
    if (needs_quotes(word)) {
      append_quoted(line, word);
    } else {
      line += word;
    }
  }
  return line;
}

}  // namespace cpydbg::lldb_plugin
