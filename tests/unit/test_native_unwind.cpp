// The native walk's readers on the files it reads: each interpreter's call
// frame information row by row as binutils' readelf interprets it, and
// corrupted copies of libpython's CFI and DWARF sections, which must give
// "cannot say" or less, never a crash, an out-of-bounds read (the sanitizer
// build checks) or a hang. That the frames agree with gdb's own, inlined and
// tail calls included, the `native` integration scenario checks on every
// interpreter (tests/integration/scenarios/native_check.py).
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <sstream>

#include "stopped_python.h"
#include "unwind/cfi.h"
#include "unwind/dwarf_expression.h"
#include "unwind/dwarf_inline.h"

using namespace cpydbg;
using namespace cpydbg::unwind;
namespace fs = std::filesystem;

namespace {

std::string shell(const std::string& command) {
  std::string out;
  if (FILE* p = popen(command.c_str(), "r")) {
    char buf[1 << 16];
    while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    pclose(p);
  }
  return out;
}

// The file holding an interpreter's eval loop: its libpython, else the
// executable (a static build).
std::string eval_loop_file(const test::Interpreter& interp) {
  fs::path lib = fs::path(interp.python).parent_path().parent_path() / "lib";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(lib, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("libpython", 0) == 0 && name.size() > 7 && name.ends_with(".so.1.0"))
      return entry.path().string();
  }
  return fs::canonical(interp.python).string();
}

const std::map<std::string, int> kRegister = {
    {"rax", 0}, {"rdx", 1}, {"rcx", 2}, {"rbx", 3}, {"rsi", 4},  {"rdi", 5},  {"rbp", 6},
    {"rsp", 7}, {"r8", 8},  {"r9", 9},  {"r10", 10}, {"r11", 11}, {"r12", 12}, {"r13", 13},
    {"r14", 14}, {"r15", 15}, {"ra", 16}};

// readelf's text for one register column ("u", "c-16", "s", "r12", "exp")
// against our rule.
bool same_rule(const std::string& text, const RegisterRule& rule) {
  if (text == "u") return rule.kind == RegisterRule::Unspecified || rule.kind == RegisterRule::Undefined;
  if (text == "s") return rule.kind == RegisterRule::SameValue;
  if (text == "exp" || text == "vexp") return rule.kind == RegisterRule::Expression;
  if (text.size() > 1 && text[0] == 'c') return rule.kind == RegisterRule::Offset && rule.value == std::stol(text.substr(1));
  if (text.size() > 1 && text[0] == 'v') return rule.kind == RegisterRule::ValOffset && rule.value == std::stol(text.substr(1));
  auto reg = kRegister.find(text);
  return reg != kRegister.end() && rule.kind == RegisterRule::Register && rule.value == reg->second;
}

}  // namespace

TEST_CASE("the CFI rows of every interpreter's eval loop file are readelf's") {
  for (const auto& interp : test::interpreters()) {
    const std::string file = eval_loop_file(interp);
    CAPTURE(file);
    auto cfi = CallFrameInfo::load(file);
    REQUIRE(cfi);
    std::istringstream table(shell("readelf --debug-dump=frames-interp '" + file + "' 2>/dev/null"));
    static const std::regex fde(R"(FDE cie=[0-9a-f]+ pc=([0-9a-f]+)\.\.([0-9a-f]+))");
    std::vector<std::string> columns;
    uint64_t fde_start = 0, fde_end = 0, fdes = 0, rows = 0;
    std::vector<std::pair<uint64_t, std::vector<std::string>>> pending;  // one FDE's rows
    auto check_fde = [&] {
      // Every 7th FDE (thousands per file), each row at its first and last
      // address; not the FDEs of code the linker dropped (pc 0, no extent),
      // which .eh_frame_hdr does not list.
      if (pending.empty() || !fde_start || fde_end <= fde_start || fdes++ % 7) return;
      for (size_t i = 0; i < pending.size(); ++i) {
        uint64_t end = i + 1 < pending.size() ? pending[i + 1].first : fde_end;
        for (uint64_t at : {pending[i].first, end - 1}) {
          auto row = cfi->row_at(at);
          CAPTURE(at);
          REQUIRE(row);
          CHECK(row->function_start == fde_start);
          const auto& cells = pending[i].second;
          if (cells[0] == "exp") {
            CHECK(row->cfa_is_expression);
          } else {
            size_t plus = cells[0].find_first_of("+-");
            REQUIRE(plus != std::string::npos);
            CHECK(row->cfa_register == kRegister.at(cells[0].substr(0, plus)));
            CHECK(row->cfa_offset == std::stol(cells[0].substr(plus)));
          }
          for (size_t c = 1; c < cells.size() && c < columns.size(); ++c) {
            CAPTURE(columns[c]);
            CHECK(same_rule(cells[c], row->rules[size_t(kRegister.at(columns[c]))]));
          }
          ++rows;
        }
      }
    };
    for (std::string line; std::getline(table, line);) {
      std::smatch m;
      if (std::regex_search(line, m, fde)) {
        check_fde();
        pending.clear();
        fde_start = std::stoull(m[1], nullptr, 16);
        fde_end = std::stoull(m[2], nullptr, 16);
        continue;
      }
      if (line.find(" CIE") != std::string::npos) {  // a CIE's own rows are not an FDE's
        check_fde();
        pending.clear();
        fde_start = fde_end = 0;
        continue;
      }
      std::istringstream words(line);
      std::vector<std::string> cells;
      for (std::string w; words >> w;) cells.push_back(w);
      if (cells.size() >= 2 && cells[0] == "LOC") {
        columns.assign(cells.begin() + 1, cells.end());  // CFA, then the registers
      } else if (!cells.empty() && cells[0].size() == 16 && cells[0].find_first_not_of("0123456789abcdef") == std::string::npos) {
        pending.emplace_back(std::stoull(cells[0], nullptr, 16),
                             std::vector<std::string>(cells.begin() + 1, cells.end()));
      }
    }
    check_fde();
    CHECK(rows > 1000);
    // Outside every FDE: no row.
    CHECK_FALSE(cfi->row_at(0));
  }
}

// Section file ranges from readelf -S: "[Nr] Name Type Address Off Size".
std::map<std::string, std::pair<uint64_t, uint64_t>> section_ranges(const std::string& file) {
  std::map<std::string, std::pair<uint64_t, uint64_t>> sections;
  std::istringstream headers(shell("readelf -SW '" + file + "'"));
  static const std::regex row(R"(\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+))");
  for (std::string line; std::getline(headers, line);) {
    std::smatch m;
    if (std::regex_search(line, m, row))
      sections[m[1]] = {std::stoull(m[2], nullptr, 16), std::stoull(m[3], nullptr, 16)};
  }
  return sections;
}

// `rounds` copies of `lib` with random bytes over its CFI and DWARF, each
// asked about every 4 KB of .text.
void ask_corrupted_copies(const std::string& lib, const fs::path& dir, int rounds) {
  std::ifstream in(lib, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto sections = section_ranges(lib);
  for (const char* name : {".eh_frame_hdr", ".eh_frame", ".debug_info", ".debug_abbrev",
                           ".debug_aranges", ".debug_rnglists"})
    REQUIRE(sections.count(name));
  auto text = sections.at(".text");
  std::mt19937_64 rng(20261202);
  for (int round = 0; round < rounds; ++round) {
    std::string copy = bytes;
    // Random bytes over a few spots of each section (some rounds: all of one).
    for (const auto& [name, range] : sections) {
      if (name != ".eh_frame_hdr" && name != ".eh_frame" && name.rfind(".debug_", 0) != 0) continue;
      auto [off, size] = range;
      if (!size || off + size > copy.size()) continue;
      int spots = round % 4 == 3 ? 0 : 16;
      for (int i = 0; i < spots; ++i) {
        uint64_t at = off + rng() % size;
        for (int k = 0; k < 8 && at + k < off + size; ++k) copy[at + k] = char(rng());
      }
      if (round % 4 == 3 && name == (round == 3 ? ".eh_frame" : round == 7 ? ".debug_info" : ".debug_abbrev"))
        for (uint64_t k = 0; k < size; ++k) copy[off + k] = char(rng() | 0x80);  // LEB128s that never end
    }
    fs::path path = dir / (fs::path(lib).stem().string() + "-" + std::to_string(round) + ".so");
    std::ofstream(path, std::ios::binary).write(copy.data(), std::streamsize(copy.size()));
    auto cfi = CallFrameInfo::load(path.string());
    DwarfInlineCalls dwarf;
    size_t asked = 0;
    for (uint64_t addr = text.first; addr < text.first + text.second; addr += 4096, ++asked) {
      if (cfi) cfi->row_at(addr);
      if (auto calls = dwarf.at(path.string(), addr, addr + 1)) CHECK(calls->inlined.size() < 256);
      dwarf.tail_calls(path.string(), addr);
    }
    CHECK(asked > 100);
  }
}

TEST_CASE("corrupted CFI and DWARF sections give no answer or a partial one, never a crash") {
  std::string lib;
  for (const auto& interp : test::interpreters())
    if (interp.label == "3.12") lib = eval_loop_file(interp);
  REQUIRE(!lib.empty());
  fs::path dir = fs::path(CPYDBG_BINARY_DIR) / "test-tmp" / ("unwind-" + std::to_string(getpid()));
  fs::create_directories(dir);
  ask_corrupted_copies(lib, dir, 12);
  // As distributions ship debug files: sections zlib-compressed, so the
  // random bytes land in the deflate streams too.
  fs::path compressed = dir / "compressed.so";
  REQUIRE(shell("objcopy --compress-debug-sections=zlib-gabi '" + lib + "' '" + compressed.string() +
                "' && echo ok").find("ok") != std::string::npos);
  REQUIRE(shell("readelf -SW '" + compressed.string() + "' | grep -c ' \\.debug_info .* C '").rfind("1", 0) == 0);
  ask_corrupted_copies(compressed.string(), dir, 8);
  fs::remove_all(dir);
}

TEST_CASE("a file without DWARF has nothing inlined and no call sites, and says so") {
  DwarfInlineCalls dwarf;
  auto none = dwarf.at("/bin/true", 0x2000, 0x2001);
  REQUIRE(none);
  CHECK(none->inlined.empty());
  CHECK(none->function.empty());
  CHECK_FALSE(none->call);
  auto tails = dwarf.tail_calls("/bin/true", 0x2000);
  REQUIRE(tails);
  CHECK(tails->empty());
  CHECK(dwarf.at("/nonexistent/file", 0x2000));  // unreadable: no DWARF, as gdb sees it
}

TEST_CASE("location expressions read as gdb reads a pointer variable, or are left to gdb") {
  Registers regs;
  regs.set(3, 0x1111);             // rbx
  regs.set(kRsp, 0x7000);          // rsp
  regs.set(kReturnAddress, 0x400);
  const uint64_t cfa = 0x7010;
  std::map<uint64_t, uint64_t> memory = {{0x7008, 0xaaaa}, {0x7000, 0xbbbb}, {0x1119, 0xcccc}};
  ReadMemory read = [&](uint64_t addr, void* buf, size_t size) {
    auto it = memory.find(addr);
    if (it == memory.end() || size != 8) return false;
    std::memcpy(buf, &it->second, 8);
    return true;
  };
  FrameContext frame{regs, cfa, 0x10000, read};
  auto eval = [&](std::string expr, std::string base = "") {
    return evaluate_location(expr, base, frame);
  };
  using S = std::string;
  CHECK(eval(S("\x53", 1)) == std::optional<std::optional<uint64_t>>(0x1111));      // DW_OP_reg3
  CHECK(eval(S("\x77\x00", 2)) == std::optional<std::optional<uint64_t>>(0xbbbb));  // DW_OP_breg7 0
  CHECK(eval(S("\x73\x08", 2)) == std::optional<std::optional<uint64_t>>(0xcccc));  // breg3 8: *(rbx+8)
  // DW_OP_fbreg -8 with the frame base at the CFA: *(cfa - 8).
  CHECK(eval(S("\x91\x78", 2), S("\x9c", 1)) == std::optional<std::optional<uint64_t>>(0xaaaa));
  // A value, not a place: rbx + 5.
  CHECK(eval(S("\x73\x05\x9f", 3)) == std::optional<std::optional<uint64_t>>(0x1116));
  // DW_OP_addr is relocated by the file's bias, then read.
  memory[0x10020] = 0xdddd;
  CHECK(eval(S("\x03\x20\x00\x00\x00\x00\x00\x00\x00", 9)) ==
        std::optional<std::optional<uint64_t>>(0xdddd));
  // No value, as gdb says <not saved> or cannot read: a register the walk
  // did not recover, memory the core lacks.
  const std::optional<std::optional<uint64_t>> no_value(std::in_place);
  CHECK(eval(S("\x50", 1)) == no_value);      // DW_OP_reg0: rax
  CHECK(eval(S("\x77\x10", 2)) == no_value);  // *(rsp + 16)
  // Left to gdb: an entry value, a piece, a register location that goes on,
  // fbreg without a frame base, an unknown base register, a bad expression.
  CHECK_FALSE(eval(S("\xa3\x01\x54\x9f", 4)));
  CHECK_FALSE(eval(S("\x53\x93\x08", 3)));
  CHECK_FALSE(eval(S("\x91\x78", 2)));
  CHECK_FALSE(eval(S("\x70\x00", 2)));   // breg0: rax unknown
  CHECK_FALSE(eval(S("\x06", 1)));       // deref of nothing
  CHECK_FALSE(eval(S("\x77", 1)));       // truncated
  CHECK_FALSE(eval(S("\x9f", 1)));       // stack_value of nothing
}
