// The ELF reader on files a target may map: a real interpreter executable
// reads as binutils' readelf and nm show it, and truncated or corrupted copies of it
// (offsets near 2^64, absurd counts and sizes, random bytes), and things that
// are not files at all, give ok() == false or less, never a crash, an
// out-of-bounds read (the sanitizer build checks) or a hang.
#include <doctest/doctest.h>
#include <elf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "elf/elf_file.h"
#include "stopped_python.h"
#include "target/elf_symbols.h"

using namespace cpydbg;
namespace fs = std::filesystem;

namespace {

// pyenv's 3.13 executable: small, with .symtab, .dynsym, notes and DT_NEEDED.
std::string interpreter_exe() {
  for (const auto& interp : test::interpreters())
    if (interp.label == "3.13") return fs::canonical(interp.python).string();
  FAIL("no 3.13 interpreter in the support table");
  return "";
}

// What a shell command prints (the independent witness: binutils).
std::string shell(const std::string& command) {
  std::string out;
  if (FILE* p = popen(command.c_str(), "r")) {
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    pclose(p);
  }
  return out;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A scratch directory for this test process.
fs::path scratch() {
  fs::path dir = fs::path(CPYDBG_BINARY_DIR) / "test-tmp" / ("elf-" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir;
}

// Every reader entry point, as the generator and ModuleSymbols use them.
void exercise(const std::string& path) {
  ElfFile elf(path);
  if (!elf.ok()) CHECK_FALSE(elf.error().empty());
  elf.arch();
  elf.has_interpreter();
  elf.build_id();
  elf.debuglink();
  elf.needed();
  size_t named = 0;
  elf.for_each_symbol([&](const ElfSymbol& s) { named += !s.name.empty(); });
  elf.symbol("main");
  if (auto exported = elf.exported_symbols()) {
    exported->find("main");
    exported->find("PyList_New");
  }
  elf.bytes_at(0x1000, 64);
  elf.string_at(0x2000);
  elf.in_rodata(0x3000);
  if (auto syms = ElfSymbols::load(path)) {
    syms->find("main");
    syms->find_exported("PyList_New");
    syms->bias(0x7f0000000000, 0);
  }
}

template <typename T>
void put(std::string& image, uint64_t off, T value) {
  if (off + sizeof(T) <= image.size()) std::memcpy(image.data() + off, &value, sizeof(T));
}

template <typename T>
T get(const std::string& image, uint64_t off) {
  T value{};
  if (off + sizeof(T) <= image.size()) std::memcpy(&value, image.data() + off, sizeof(T));
  return value;
}

}  // namespace

TEST_CASE("ElfFile reads a real interpreter executable as readelf and nm do") {
  const std::string exe = interpreter_exe();
  ElfFile elf(exe);
  REQUIRE_MESSAGE(elf.ok(), elf.error());
  CHECK(elf.arch() == "x86_64");
  CHECK(elf.has_interpreter());
  CHECK(shell("readelf --notes " + exe).find("Build ID: " + elf.build_id() + "\n") !=
        std::string::npos);
  std::string needed = shell("readelf --dynamic " + exe);
  CHECK_FALSE(elf.needed().empty());
  for (const std::string& lib : elf.needed())
    CHECK(needed.find("[" + lib + "]") != std::string::npos);
  // main is a local (static) symbol of .symtab here: nm prints "ADDR t main".
  auto main_sym = elf.symbol("main");
  REQUIRE(main_sym.has_value());
  CHECK(main_sym->local);
  char nm_line[64];
  snprintf(nm_line, sizeof nm_line, "%016llx t main\n",
           static_cast<unsigned long long>(main_sym->value));
  CHECK(shell("nm " + exe).find(nm_line) != std::string::npos);
  CHECK_FALSE(elf.symbol("no_such_symbol_anywhere").has_value());
  auto syms = ElfSymbols::load(exe);
  REQUIRE(syms);
  CHECK(syms->find("main") == main_sym->value);
}

TEST_CASE("ElfFile refuses what is not an ELF file, without hanging") {
  fs::path dir = scratch();
  std::ofstream(dir / "empty");
  std::ofstream(dir / "text") << "#!/bin/sh\necho not elf\n";
  fs::create_directory(dir / "a-directory");
  fs::path fifo = dir / "a-fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  for (std::string path :
       {(dir / "empty").string(), (dir / "text").string(), (dir / "a-directory").string(),
        fifo.string(), std::string("/dev/zero"), (dir / "does-not-exist").string()}) {
    CAPTURE(path);
    ElfFile elf(path);
    CHECK_FALSE(elf.ok());
    CHECK(elf.error().find(path) != std::string::npos);
    CHECK(ElfSymbols::load(path) == nullptr);
  }
  fs::remove_all(dir);
}

TEST_CASE("ElfFile survives truncated and corrupted copies of a real executable") {
  const std::string original = slurp(interpreter_exe());
  REQUIRE(original.size() > 4096);
  const auto* eh = reinterpret_cast<const Elf64_Ehdr*>(original.data());
  fs::path dir = scratch();
  int case_number = 0;
  // Each case: a fresh file (ElfSymbols caches by inode and mtime).
  auto run = [&](const std::string& what, const std::string& image) {
    CAPTURE(what);
    fs::path path = dir / ("case-" + std::to_string(case_number++));
    std::ofstream(path, std::ios::binary) << image;
    exercise(path.string());
    fs::remove(path);
  };

  for (size_t size : {size_t(1), size_t(4), size_t(63), size_t(64), size_t(eh->e_phoff + 8),
                      original.size() / 2, eh->e_shoff + 10, original.size() - 1}) {
    run("truncated to " + std::to_string(size), original.substr(0, size));
  }

  const uint64_t huge = ~uint64_t(0) - 7;
  auto patched = [&](const std::string& what, auto patch) {
    std::string image = original;
    patch(image);
    run(what, image);
  };
  patched("e_phoff near 2^64",
         [&](std::string& i) { put<uint64_t>(i, offsetof(Elf64_Ehdr, e_phoff), huge); });
  patched("e_shoff near 2^64",
         [&](std::string& i) { put<uint64_t>(i, offsetof(Elf64_Ehdr, e_shoff), huge); });
  patched("e_shnum 65535",
         [&](std::string& i) { put<uint16_t>(i, offsetof(Elf64_Ehdr, e_shnum), 0xffff); });
  patched("e_phnum 65535",
         [&](std::string& i) { put<uint16_t>(i, offsetof(Elf64_Ehdr, e_phnum), 0xffff); });
  patched("e_shstrndx out of range",
         [&](std::string& i) { put<uint16_t>(i, offsetof(Elf64_Ehdr, e_shstrndx), 0xfffe); });

  // Each section header's offset, size and link made absurd in turn.
  for (unsigned s = 0; s < eh->e_shnum; ++s) {
    uint64_t at = eh->e_shoff + uint64_t(s) * sizeof(Elf64_Shdr);
    std::string name = "section " + std::to_string(s);
    patched(name + " sh_offset near 2^64",
           [&](std::string& i) { put<uint64_t>(i, at + offsetof(Elf64_Shdr, sh_offset), huge); });
    patched(name + " sh_size near 2^64",
           [&](std::string& i) { put<uint64_t>(i, at + offsetof(Elf64_Shdr, sh_size), huge); });
    patched(name + " sh_link out of range", [&](std::string& i) {
      put<uint32_t>(i, at + offsetof(Elf64_Shdr, sh_link), 0xffffffff);
    });
    patched(name + " sh_name out of range", [&](std::string& i) {
      put<uint32_t>(i, at + offsetof(Elf64_Shdr, sh_name), 0xffffffff);
    });
    // Inside the section: symbol names, note sizes, DT_NEEDED offsets.
    uint32_t type = get<uint32_t>(original, at + offsetof(Elf64_Shdr, sh_type));
    uint64_t off = get<uint64_t>(original, at + offsetof(Elf64_Shdr, sh_offset));
    uint64_t size = get<uint64_t>(original, at + offsetof(Elf64_Shdr, sh_size));
    if (type == SHT_SYMTAB || type == SHT_DYNSYM) {
      patched(name + " every st_name out of range", [&](std::string& i) {
        for (uint64_t e = off; e + sizeof(Elf64_Sym) <= off + size; e += sizeof(Elf64_Sym))
          put<uint32_t>(i, e + offsetof(Elf64_Sym, st_name), 0xfffffff0);
      });
    } else if (type == SHT_NOTE) {
      patched(name + " n_namesz and n_descsz near 2^32", [&](std::string& i) {
        put<uint32_t>(i, off, 0xfffffffd);
        put<uint32_t>(i, off + 4, 0xfffffffd);
      });
    } else if (type == SHT_GNU_HASH) {
      // nbuckets, symoffset, bloom_size, then bloom words, buckets, chains.
      for (uint32_t word : {0u, 1u, 2u})
        for (uint32_t value : {0u, 1u, 0xffffffffu})
          patched(name + " header word " + std::to_string(word) + " = " + std::to_string(value),
                  [&](std::string& i) { put<uint32_t>(i, off + 4 * word, value); });
      patched(name + " every bucket and chain word 0xffffffff", [&](std::string& i) {
        for (uint64_t e = off + 16; e + 4 <= off + size; e += 4) put<uint32_t>(i, e, 0xffffffff);
      });
      patched(name + " every chain word without its end bit", [&](std::string& i) {
        for (uint64_t e = off + 16; e + 4 <= off + size; e += 4)
          put<uint32_t>(i, e, get<uint32_t>(i, e) & ~1u);
      });
    } else if (type == SHT_DYNAMIC) {
      patched(name + " every d_val out of range", [&](std::string& i) {
        for (uint64_t e = off; e + sizeof(Elf64_Dyn) <= off + size; e += sizeof(Elf64_Dyn))
          put<uint64_t>(i, e + offsetof(Elf64_Dyn, d_un), huge);
      });
    }
  }

  // Random bytes over the headers and the section header table.
  std::mt19937_64 rng(20261123);
  for (int round = 0; round < 200; ++round) {
    std::string image = original;
    for (int flips = 0; flips < 16; ++flips) {
      uint64_t region = rng() % 2 ? 0 : eh->e_shoff;
      uint64_t span = region ? uint64_t(eh->e_shnum) * sizeof(Elf64_Shdr) : 4096;
      uint64_t at = region + rng() % span;
      if (at < image.size()) image[at] = static_cast<char>(rng());
    }
    run("random round " + std::to_string(round), image);
  }
  fs::remove_all(dir);
}

TEST_CASE("ElfSymbols finds every symbol of a libpython where readelf lists it") {
  std::string lib;
  for (const auto& interp : test::interpreters())
    if (interp.label == "3.12")
      lib = (fs::path(interp.python).parent_path().parent_path() / "lib" / "libpython3.12.so.1.0").string();
  REQUIRE(fs::exists(lib));
  // A copy no other test case has looked names up in: its first lookups are
  // answered by scanning the symbols, the rest by the index built after.
  const fs::path copy = scratch() / "libpython3.12.so.1.0";
  fs::copy_file(lib, copy, fs::copy_options::overwrite_existing);
  auto syms = ElfSymbols::load(copy.string());
  REQUIRE(syms);
  // readelf -sW, both tables: "Num: Value Size Type Bind Vis Ndx Name".
  std::map<std::string, std::vector<std::pair<uint64_t, bool>>> defs;  // name -> (addr, global)
  std::map<std::string, uint64_t> exported;  // .dynsym's, the first definition of each
  bool in_dynsym = false;
  std::istringstream lines(shell("readelf -sW " + lib));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("Symbol table '", 0) == 0) in_dynsym = line.find("'.dynsym'") != std::string::npos;
    std::istringstream fields(line);
    std::string num, value, size, type, bind, vis, ndx, name;
    if (!(fields >> num >> value >> size >> type >> bind >> vis >> ndx >> name) || num.back() != ':')
      continue;
    if (ndx == "UND" || (type != "OBJECT" && type != "FUNC" && type != "NOTYPE" && type != "IFUNC"))
      continue;  // TLS offsets, sections and files are not looked up
    defs[name].push_back({std::stoull(value, nullptr, 16), bind != "LOCAL"});
    if (in_dynsym) exported.emplace(name.substr(0, name.find('@')), std::stoull(value, nullptr, 16));
  }
  REQUIRE(defs.size() > 10000);
  REQUIRE(exported.size() > 1000);
  auto find_checked = [&](const std::string& name,
                          const std::vector<std::pair<uint64_t, bool>>& where) {
    CAPTURE(name);
    auto found = syms->find(name);
    REQUIRE(found);
    std::vector<uint64_t> globals, all;
    for (auto [a, global] : where) (global ? globals : all).push_back(a), all.push_back(a);
    // A global definition wins; of locals (static ones in several files)
    // any may be the first in the table.
    const auto& allowed = globals.empty() ? all : globals;
    CHECK(std::find(allowed.begin(), allowed.end(), *found) != allowed.end());
    return *found;
  };
  // Names several files define static (no name here is both static and
  // global), first by scanning, then again by the index: the same answers.
  std::vector<std::pair<std::string, uint64_t>> scanned;
  for (const auto& [name, where] : defs) {
    bool global = std::any_of(where.begin(), where.end(), [](auto d) { return d.second; });
    if (!global && where.size() > 1 && scanned.size() < 8)
      scanned.emplace_back(name, find_checked(name, where));
  }
  REQUIRE(scanned.size() == 8);
  size_t checked = 0, functions = 0;
  for (const auto& [name, where] : defs) {
    const uint64_t found = find_checked(name, where);
    ++checked;
    // A function's start names it or an alias there.
    std::string_view at = syms->function_at(found);
    if (!at.empty()) {
      ++functions;
      auto alias = defs.find(std::string(at));
      REQUIRE(alias != defs.end());
      bool same_start = false;
      for (auto [a, global] : alias->second) same_start |= a == found;
      CHECK(same_start);
    }
  }
  CHECK(functions > 5000);
  for (const auto& [name, value] : scanned) {
    CAPTURE(name);
    CHECK(syms->find(name) == value);
  }
  CHECK_FALSE(syms->find("no_such_symbol_anywhere"));
  // What it exports through the file's own hash table, and nothing static.
  size_t static_names = 0;
  for (const auto& [name, where] : defs) {
    CAPTURE(name);
    auto it = exported.find(name);
    auto found = syms->find_exported(name);
    if (it == exported.end()) {
      CHECK_FALSE(found);
      ++static_names;
    } else {
      REQUIRE(found);
      CHECK(*found == it->second);
    }
  }
  CHECK(static_names > 5000);
  CHECK(syms->find_exported("PyList_New"));
  CHECK_FALSE(syms->find_exported("no_such_symbol_anywhere"));
  fs::remove(copy);
  MESSAGE(checked << " names, " << functions << " of them functions");
}
