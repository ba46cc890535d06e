// DWARF extraction on tests/fixtures/dwarf/shapes.c, compiled here with
// -gdwarf-4 and -gdwarf-5 (object file and shared library). Every expected
// offset, size and bit position is printed by the same source built as a
// program, so the numbers come from the compiler, not from the extractor.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cpydbg/dwarf.h"

using namespace cpydbg;
namespace fs = std::filesystem;

namespace {

const std::string kSource = std::string(CPYDBG_SOURCE_DIR) + "/tests/fixtures/dwarf/shapes.c";

// One directory per process: ctest runs test cases in parallel processes
// that would otherwise overwrite each other's fixture builds.
struct WorkDir {
  fs::path path = fs::path(CPYDBG_BINARY_DIR) / "test-tmp" / ("dwarf-" + std::to_string(getpid()));
  WorkDir() { fs::create_directories(path); }
  ~WorkDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

const fs::path& work_dir() {
  static WorkDir dir;
  return dir.path;
}

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE_MESSAGE(p, "cannot run: " << cmd);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  REQUIRE_MESSAGE(rc == 0, "command failed: " << cmd << "\n" << out);
  return out;
}

// Build the fixture once per flavour of DWARF/file kind.
std::string build(const std::string& flags, const std::string& name) {
  fs::path out = work_dir() / name;
  run("cc -w -O0 " + flags + " " + kSource + " -o " + out.string() + " 2>&1");
  return out.string();
}

struct Expected {
  std::vector<std::tuple<std::string, std::string, uint64_t, uint64_t>> fields;  // T f off size
  std::vector<std::tuple<std::string, std::string, int64_t, uint32_t>> bits;     // T f bit n
  std::map<std::string, uint64_t> sizes;
  std::map<std::string, int64_t> colors;
};

const Expected& expected() {
  static Expected e = [] {
    Expected x;
    std::istringstream in(run(build("-DPRINT_EXPECTED", "shapes-print") + " 2>&1"));
    std::string kind;
    while (in >> kind) {
      if (kind == "size") {
        std::string t;
        uint64_t n;
        in >> t >> n;
        x.sizes[t] = n;
      } else if (kind == "bits") {
        std::string t, f;
        int64_t b;
        uint32_t n;
        in >> t >> f >> b >> n;
        x.bits.emplace_back(t, f, b, n);
      } else if (kind == "enum") {
        std::string e, name;
        int64_t v;
        in >> e >> name >> v;
        x.colors[name] = v;
      } else {
        std::string f;
        uint64_t off, size;
        in >> f >> off >> size;
        x.fields.emplace_back(kind, f, off, size);
      }
    }
    return x;
  }();
  return e;
}

ExtractOptions fixture_options() {
  ExtractOptions o;
  o.structs = {{"outer_t", {"outer_t"}},
               {"holder_t", {"holder_t"}},
               {"bits_t", {"bits_t"}},
               {"inner_t", {"struct inner"}},
               {"absent_t", {"absent_t", "struct absent"}}};
  o.enums = {{"color", {"enum color"}}, {"nothing", {"enum nothing"}}};
  o.version = "3.12.1";
  o.require_cpython = false;
  return o;
}

void check_against_compiler(const std::string& file, int dwarf_version) {
  ExtractReport rep;
  Layout l = extract_layout(file, fixture_options(), &rep);
  const Expected& e = expected();
  REQUIRE(e.fields.size() > 20);
  CHECK(rep.dwarf_version_min == dwarf_version);
  CHECK(rep.missing_structs == std::vector<std::string>{"absent_t"});
  CHECK(rep.missing_enums == std::vector<std::string>{"nothing"});
  for (const auto& [t, n] : e.sizes) {
    INFO(t);
    CHECK(l.size(t) == n);
  }
  for (const auto& [t, f, off, size] : e.fields) {
    INFO(t << "." << f);
    const FieldInfo* fi = l.find_field(t, f);
    REQUIRE(fi);
    CHECK(fi->offset == off);
    CHECK(fi->size == size);
    CHECK_FALSE(fi->is_bitfield());
  }
  for (const auto& [t, f, bit, n] : e.bits) {
    INFO(t << "." << f);
    const FieldInfo* fi = l.find_field(t, f);
    REQUIRE(fi);
    CHECK(fi->bit_offset == bit);
    CHECK(fi->bit_size == n);
    // The storage unit is aligned and holds every bit of the field.
    REQUIRE(fi->size > 0);
    CHECK(fi->offset % fi->size == 0);
    CHECK(fi->offset * 8 <= uint64_t(bit));
    CHECK(uint64_t(bit) + n <= (fi->offset + fi->size) * 8);
  }
  for (const auto& [name, v] : e.colors) CHECK(l.enum_value("color", name) == v);
}

}  // namespace

TEST_CASE("DWARF 4 object file: offsets, sizes and bitfields match the compiler") {
  check_against_compiler(build("-c -g -gdwarf-4", "shapes-dw4.o"), 4);
}

TEST_CASE("DWARF 5 object file: offsets, sizes and bitfields match the compiler") {
  check_against_compiler(build("-c -g -gdwarf-5", "shapes-dw5.o"), 5);
}

TEST_CASE("DWARF 5 shared library: offsets, sizes and bitfields match the compiler") {
  check_against_compiler(build("-shared -fPIC -g -gdwarf-5", "libshapes-dw5.so"), 5);
}

TEST_CASE("DWARF 4 shared library: offsets, sizes and bitfields match the compiler") {
  check_against_compiler(build("-shared -fPIC -g -gdwarf-4", "libshapes-dw4.so"), 4);
}

TEST_CASE("flattening rules: depth, big aggregates, anonymous members, type spellings") {
  Layout l = extract_layout(build("-c -g -gdwarf-5", "shapes-rules.o"), fixture_options());
  // Three named levels: deep.l2.l3 is a field, its members are not.
  CHECK(l.find_field("outer_t", "deep.l2.l3"));
  CHECK_FALSE(l.find_field("outer_t", "deep.l2.l3.z"));
  CHECK_FALSE(l.find_field("outer_t", "deep.l2.l3.l4"));
  // A 101-member struct is one field, not expanded.
  CHECK(l.find_field("holder_t", "big"));
  CHECK_FALSE(l.find_field("holder_t", "big.m0"));
  // Anonymous union members take no name part; no placeholder is left.
  for (const auto& [name, f] : l.struct_info("outer_t").fields)
    CHECK_MESSAGE(name.find('<') == std::string::npos, name);
  // Unnamed padding bits are not fields.
  CHECK(l.struct_info("bits_t").fields.size() == 6);
  CHECK(l.field("outer_t", "refcnt").type == "chain2");
  CHECK(l.field("outer_t", "in").type == "inner_t");
  CHECK(l.field("outer_t", "name").type == "char[8]");
  CHECK(l.field("outer_t", "matrix").type == "int[2][3]");
  CHECK(l.field("outer_t", "ptr").type == "struct big_s *");
  CHECK(l.field("outer_t", "fn").type == "void (*)()");
  CHECK(l.field("outer_t", "tail").type == "long int[]");
  CHECK(l.field("outer_t", "p").type == "void *");
  CHECK(l.field("outer_t", "state.kind").type == "unsigned int");
}

TEST_CASE("a file without DWARF says where it looked and what to install") {
  std::string obj = build("-c -g -gdwarf-5", "shapes-strip.o");
  std::string stripped = (work_dir() / "shapes-stripped.o").string();
  run("objcopy --strip-debug " + obj + " " + stripped);
  try {
    extract_layout(stripped, fixture_options());
    FAIL("no exception");
  } catch (const NoDebugInfoError& e) {
    std::string msg = e.what();
    CHECK(msg.find("no DWARF") != std::string::npos);
    CHECK(msg.find(stripped) != std::string::npos);
    CHECK(msg.find("apt install") != std::string::npos);
    CHECK(msg.find('\n') == std::string::npos);
  }
}

TEST_CASE("DWARF without PyObject is refused unless asked otherwise") {
  ExtractOptions o = fixture_options();
  o.require_cpython = true;
  CHECK_THROWS_AS(extract_layout(build("-c -g", "shapes-nopy.o"), o), LayoutError);
}
