// cpydbg-pack-table TABLE.json OUT: the compact binary form a built-in table
// is compiled into the library as (encode_layout). Run by the build, so a
// table the JSON reader refuses, or one that would not decode back to the
// same table, fails the build instead of an attach.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cpydbg/layout.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fputs("usage: cpydbg-pack-table TABLE.json OUT\n", stderr);
    return 2;
  }
  try {
    std::ifstream in(argv[1], std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) throw cpydbg::LayoutError(std::string("cannot read ") + argv[1]);
    cpydbg::Layout layout = cpydbg::parse_layout(text.str(), argv[1]);
    std::string packed = cpydbg::encode_layout(layout);
    if (cpydbg::dump_layout(cpydbg::decode_layout(packed, argv[1])) != cpydbg::dump_layout(layout))
      throw cpydbg::LayoutError(std::string(argv[1]) + ": the binary form does not decode back to the table");
    std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
    out.write(packed.data(), std::streamsize(packed.size()));
    if (!out.flush()) throw cpydbg::LayoutError(std::string("cannot write ") + argv[2]);
  } catch (const cpydbg::LayoutError& e) {
    std::fprintf(stderr, "cpydbg-pack-table: %s\n", e.what());
    return 1;
  }
  return 0;
}
