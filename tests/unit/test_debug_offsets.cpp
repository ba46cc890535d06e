// _Py_DebugOffsets on a real stopped 3.13.0 (no debugger: LiveProcessTarget):
// the shape cpydbg decodes is the one that build's DWARF records; the partial
// layout built from the block agrees with the DWARF table on everything both
// have; with the built-in tables off every object prints as the process's own
// repr() said, or (a kind the block does not describe) as a marker, and what
// is not covered is refused in one line; a table that disagrees with the
// block is not trusted; a corrupt block is refused, never followed.
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <set>
#include <nlohmann/json.hpp>

#include "cpydbg/registry.h"
#include "cpydbg/session.h"
#include "objects/format.h"
#include "overlay_target.h"
#include "runtime/debug_offsets.h"
#include "runtime/partial_layout.h"
#include "runtime/python.h"
#include "runtime/walker.h"
#include "scoped_env.h"
#include "stopped_python.h"
#include "target/live_process.h"

using namespace cpydbg;
using nlohmann::json;

namespace {

const std::string kPython = CPYDBG_PYENV_ROOT "/versions/3.13.0/bin/python";
const std::string kObjects = CPYDBG_SOURCE_DIR "/tests/format/scenario.py";
const std::string kFacts = CPYDBG_SOURCE_DIR "/tests/format/stop_with_ids.py";

const Layout& table_313() {
  static auto table = LayoutRegistry::instance().by_name("cpython-3.13-x86_64");
  REQUIRE(table);
  return *table;
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// A stopped 3.13.0 running `script`, and a target over it.
struct Live313 {
  explicit Live313(const std::string& script) : proc(kPython, script), target(proc.pid()) {
    REQUIRE_MESSAGE(proc.ok(), proc.failure());
    REQUIRE_MESSAGE(target.ok(), target.error());
    auto rt = target.symbol("_PyRuntime");
    REQUIRE(rt);
    runtime = *rt;
  }
  test::StoppedPython proc;
  LiveProcessTarget target;
  uint64_t runtime = 0;
};

size_t entry_index(const char* name) {
  const auto& shape = debug_offsets_shape(13);
  for (size_t i = 0; i < shape.size(); ++i)
    if (std::strcmp(shape[i].name, name) == 0) return i;
  FAIL("no entry " << name);
  return 0;
}

void set_entry(std::vector<uint8_t>& block, const char* name, uint64_t value) {
  std::memcpy(block.data() + 24 + entry_index(name) * 8, &value, 8);
}

DebugOffsetsRead decode(const std::vector<uint8_t>& block) {
  return decode_debug_offsets(block.data(), block.size(), 0x1000, std::nullopt);
}

}  // namespace

TEST_CASE("the 3.13 shape of _Py_DebugOffsets is the one 3.13.0's DWARF records") {
  // The table generated from libpython3.13's DWARF records the struct
  // itself; cpydbg's shape (written from the header) must match it entry for
  // entry: one out of place would shift every entry after it.
  const StructInfo& dwarf = table_313().struct_info("_Py_DebugOffsets");
  const auto& shape = debug_offsets_shape(13);
  CHECK(dwarf.size == 24 + shape.size() * 8);
  for (size_t i = 0; i < shape.size(); ++i) {
    INFO(shape[i].name);
    const FieldInfo* f = table_313().find_field("_Py_DebugOffsets", shape[i].name);
    REQUIRE(f);
    CHECK(f->offset == 24 + i * 8);
    CHECK(f->size == 8);
  }
  size_t leaves = 0;  // every "group.field" member of the DWARF struct is in the shape
  for (const auto& [name, f] : dwarf.fields) leaves += name.find('.') != std::string::npos;
  CHECK(leaves == shape.size());
  // 3.14's adds 22 entries (threads_main, the generation counters,
  // stackpointer, tlbc_index, co_tlbc, set_object, gen_object, llist_node,
  // debugger_support): 95 words, 760 bytes. Nothing else is known.
  CHECK(24 + debug_offsets_shape(14).size() * 8 == 760);
  CHECK(debug_offsets_shape(12).empty());
  CHECK(debug_offsets_shape(15).empty());
}

TEST_CASE("the partial layout from 3.13.0's own _Py_DebugOffsets agrees with its DWARF table") {
  Live313 live(kFacts);
  Reader mem(live.target);
  DebugOffsetsRead r = read_debug_offsets(mem, live.runtime, std::nullopt);
  REQUIRE(r.present);
  INFO(r.problem);
  REQUIRE(r.offsets);
  CHECK(r.offsets->version_hex == table_313().version_hex);
  CHECK(!r.offsets->free_threaded);
  Layout partial = partial_layout(*r.offsets, Flavour{}, mem);
  CHECK(partial.partial_from == "_Py_DebugOffsets");
  CHECK(partial.name() == "cpython-3.13-x86_64");
  // Every size and field the partial table has, those the block gives and
  // those cpydbg adds from the headers alike, as DWARF has them.
  size_t fields = 0;
  for (const auto& [sname, s] : partial.structs) {
    INFO(sname);
    const StructInfo* full = table_313().find_struct(sname);
    REQUIRE(full);
    if (s.size) CHECK(s.size == full->size);
    for (const auto& [fname, f] : s.fields) {
      INFO(fname);
      const FieldInfo* ff = table_313().find_field(sname, fname);
      REQUIRE(ff);
      CHECK(f.offset == ff->offset);
      CHECK(f.bit_offset == ff->bit_offset);
      CHECK(f.bit_size == ff->bit_size);
      if (f.size) CHECK(f.size == ff->size);
      ++fields;
    }
  }
  CHECK(fields >= 60);
  CHECK(partial.enums.at("_frameowner") == table_313().enums.at("_frameowner"));
  CHECK(partial.constant("long_digit_bits") == table_313().constant("long_digit_bits"));
  CHECK(partial.opcodes.line_table == table_313().opcodes.line_table);
  CHECK(partial.opcodes.names.empty());
}

TEST_CASE("with CPYDBG_BUILTIN_LAYOUTS=0 objects print as 3.13.0's repr() or as not covered") {
  test::ScopedEnv off("CPYDBG_BUILTIN_LAYOUTS", "0");
  test::ScopedEnv no_dir("CPYDBG_LAYOUTS", nullptr);
  CHECK(!LayoutRegistry::instance().builtins_enabled());
  CHECK(LayoutRegistry::instance().sources().empty());
  Live313 live(kObjects);
  json truth = json::parse(live.proc.output());
  Reader reader(live.target);
  auto py = Python::attach(reader, "");
  REQUIRE(!py->layout().partial_from.empty());
  ObjectFormatter formatter(*py);
  FormatOptions unbounded;
  unbounded.max_depth = 1000, unbounded.max_items = 1000000, unbounded.max_string = 1000000;
  unbounded.max_output = 64 << 20;
  size_t exact = 0, marked = 0;
  std::set<std::string> exact_kinds;
  for (auto& [name, entry] : truth.items()) {
    uint64_t addr = std::stoull(entry[0].get<std::string>(), nullptr, 16);
    const std::string want = entry[1].get<std::string>();
    std::string got = formatter.repr(addr, unbounded);
    INFO(name << ": " << got);
    if (formatter.uncovered(addr)) {
      // "<dict at 0x…, not covered by _Py_DebugOffsets>", the type's tp_name first.
      CHECK(got.find(" at " + hex(addr) + ", not covered by _Py_DebugOffsets>") != std::string::npos);
      CHECK(got.front() == '<');
      ++marked;
    } else if (got.find("not covered by _Py_DebugOffsets") == std::string::npos) {
      CHECK(got == want);  // a covered object holding only covered ones: exactly repr()
      ++exact;
      exact_kinds.insert(name.substr(0, name.find('_')));
    }
  }
  CHECK(exact > 40);
  CHECK(marked > 40);
  for (const char* kind : {"int", "true", "false", "none", "float", "str", "bytes",
                           "tuple", "list", "code", "ellipsis"})
    CHECK_MESSAGE(exact_kinds.count(kind), kind);
}

TEST_CASE("with CPYDBG_BUILTIN_LAYOUTS=0 3.13.0's commands run, or refuse in one line") {
  test::ScopedEnv off("CPYDBG_BUILTIN_LAYOUTS", "0");
  test::ScopedEnv no_dir("CPYDBG_LAYOUTS", nullptr);
  Live313 live(kObjects);
  json truth = json::parse(live.proc.output());
  test::OverlayTarget target(live.target);  // nothing overlaid: it evaluates pyobj's numbers
  Session session(target);
  auto info = session.execute("pyinfo", "");
  INFO(info.output);
  REQUIRE(info.ok);
  CHECK(info.output.starts_with("Python 3.13.0, detected from _Py_DebugOffsets in _PyRuntime\n"
                                "layout table: partial, from the process's _Py_DebugOffsets (no "
                                "table for Python 3.13.0; CPYDBG_BUILTIN_LAYOUTS=0 switched the "
                                "built-in tables off)\n"));
  CHECK(info.output.find("FAILED") == std::string::npos);
  CHECK(info.output.find("\n_Py_DebugOffsets at " + hex(live.runtime) +
                         " (the 3.13 shape, 584 bytes), Python 3.13.0:\n") != std::string::npos);
  CHECK(info.output.find("\n  thread_state: size ") != std::string::npos);

  auto pyobj = [&](const char* name) {
    return session.execute("pyobj", truth.at(name)[0].get<std::string>());
  };
  auto list = pyobj("list_ints");
  CHECK(list.output.starts_with("list at " + truth.at("list_ints")[0].get<std::string>() +
                                ", refcnt "));
  CHECK(list.output.ends_with(", len 3\n[1, 2, 3]\n"));
  for (const char* name : {"dict_str", "set_ints", "function", "foo", "generator", "class_foo"}) {
    auto r = pyobj(name);
    INFO(name << ": " << r.output);
    CHECK(!r.ok);
    CHECK(r.output.starts_with("cpydbg: pyobj: _Py_DebugOffsets does not cover "));
    CHECK(r.output.find(" (missing: ") != std::string::npos);
    CHECK(r.output.ends_with("; a table made by `cpydbg-layout generate` from a build of Python "
                             "3.13.0 with debug info covers them\n"));
    CHECK(r.output.find('\n') == r.output.size() - 1);
  }
  auto opstack = session.execute("pyopstack", "");
  CHECK(opstack.output == "cpydbg: _Py_DebugOffsets does not cover pyopstack (missing: the opcode "
                          "tables, PyCodeObject.co_exceptiontable, PyCodeObject.co_flags and 3 "
                          "more); a table made by `cpydbg-layout generate` from a build of Python "
                          "3.13.0 with debug info covers them\n");
  CHECK(session.execute("pystack", "-a -l").ok);
  CHECK(session.execute("pylocals", "").ok);
  auto global = session.execute("py-print", "json");
  CHECK(global.output.starts_with("cpydbg: _Py_DebugOffsets does not cover names beyond the "
                                  "frame's locals (missing: "));
}

TEST_CASE("a table that disagrees with the process's _Py_DebugOffsets is not trusted") {
  // The 3.13 table with one offset moved, as a table of another build of
  // 3.13 would have it: the process's own offsets are used, pyinfo says why.
  Layout wrong = table_313();
  wrong.structs.at("PyThreadState").fields.at("current_frame").offset += 8;
  test::ScopedLayoutsDir layouts({{"cpython-3.13-x86_64.json", dump_layout(wrong)}});
  const std::string path = layouts.path("cpython-3.13-x86_64.json");
  Live313 live(kFacts);
  Session session(live.target);
  auto info = session.execute("pyinfo", "");
  INFO(info.output);
  REQUIRE(info.ok);
  CHECK(info.output.find("\nlayout table: partial, from the process's _Py_DebugOffsets (no "
                         "table fits)\n  not trusted: cpython-3.13-x86_64 (" + path +
                         "): the table agrees with the process's _Py_DebugOffsets (66 of 67 "
                         "offsets and sizes agree; PyThreadState.current_frame: table 80, "
                         "_Py_DebugOffsets 72)\n") != std::string::npos);
  auto stack = session.execute("pystack", "");
  INFO(stack.output);
  CHECK(stack.output.find("#0 File \"" + kFacts + "\", line ") != std::string::npos);
}

TEST_CASE("a corrupt _Py_DebugOffsets block is refused, never followed") {
  Live313 live(kFacts);
  std::vector<uint8_t> good(24 + debug_offsets_shape(13).size() * 8);
  REQUIRE(live.target.read(live.runtime, good.data(), good.size()));
  INFO(decode(good).problem);
  REQUIRE(decode(good).offsets);

  auto refused = [](const std::vector<uint8_t>& block, const std::string& why) {
    DebugOffsetsRead r = decode(block);
    INFO(why << " -> " << r.problem);
    CHECK(r.present);
    CHECK(!r.offsets);
    CHECK(r.problem.find(why) != std::string::npos);
  };
  SUBCASE("no cookie: no block at all") {
    auto b = good;
    b[0] = 'X';
    DebugOffsetsRead r = decode(b);
    CHECK(!r.present);
    CHECK(!r.offsets);
  }
  SUBCASE("a version that is not 3.13+") {
    auto b = good;
    uint64_t v = 0x030c01f0;
    std::memcpy(b.data() + 8, &v, 8);
    refused(b, "its version field (0x30c01f0) is not a CPython 3.13+ version");
    v = 0xdeadbeefcafe;
    std::memcpy(b.data() + 8, &v, 8);
    refused(b, "is not a CPython 3.13+ version");
  }
  SUBCASE("a minor version whose shape cpydbg does not know") {
    auto b = good;
    uint64_t v = 0x030f00a1;
    std::memcpy(b.data() + 8, &v, 8);
    refused(b, "cpydbg knows the shape of the _Py_DebugOffsets of 3.13 and 3.14 only, not of 3.15's");
  }
  SUBCASE("free_threaded neither 0 nor 1") {
    auto b = good;
    uint64_t v = 7;
    std::memcpy(b.data() + 16, &v, 8);
    refused(b, "its free_threaded field is 7, not 0 or 1");
  }
  SUBCASE("a version other than Py_Version's") {
    DebugOffsetsRead r = decode_debug_offsets(good.data(), good.size(), 0, 0x030d01f0);
    CHECK(!r.offsets);
    CHECK(r.problem == "its version 3.13.0 disagrees with Py_Version (3.13.1)");
  }
  SUBCASE("absurd struct sizes") {
    auto b = good;
    set_entry(b, "thread_state.size", uint64_t(1) << 40);
    refused(b, "thread_state.size (1099511627776) is not a struct size");
    b = good;
    set_entry(b, "pyobject.size", 0);
    refused(b, "pyobject.size (0) is not a struct size");
  }
  SUBCASE("an offset outside its struct") {
    auto b = good;
    set_entry(b, "thread_state.current_frame", 70000);
    refused(b, "thread_state.current_frame (70000) lies outside thread_state.size (304)");
    b = good;
    set_entry(b, "code_object.co_code_adaptive", ~uint64_t(0) - 4);
    refused(b, "code_object.co_code_adaptive");
  }
  SUBCASE("a misaligned pointer offset") {
    auto b = good;
    set_entry(b, "interpreter_frame.previous", 9);
    refused(b, "interpreter_frame.previous (9) is misaligned");
  }
  SUBCASE("a GIL field before the GIL") {
    auto b = good;
    set_entry(b, "interpreter_state.gil_runtime_state_holder", 8);
    refused(b, "interpreter_state.gil_runtime_state_holder (8) lies before "
               "interpreter_state.gil_runtime_state");
  }
  SUBCASE("a free-threaded-only entry set in a build with the GIL") {
    auto b = good;
    set_entry(b, "interpreter_state.gil_runtime_state_enabled", 16);
    refused(b, "is not 0 in a build that is not free-threaded");
  }
  SUBCASE("a block cut short") {
    DebugOffsetsRead r = decode_debug_offsets(good.data(), 100, 0, std::nullopt);
    CHECK(!r.offsets);
    CHECK(r.problem == "the block is unreadable (100 of its 584 bytes)");
  }
}

TEST_CASE("a process whose _Py_DebugOffsets are corrupt") {
  Live313 live(kFacts);
  test::OverlayTarget target(live.target);
  const uint64_t absurd = 1u << 20;
  target.patch(live.runtime + 24 + 8 * entry_index("thread_state.current_frame"), absurd);
  SUBCASE("with its table: the table is used, pyinfo says the block is not") {
    Session session(target);
    auto info = session.execute("pyinfo", "");
    INFO(info.output);
    CHECK(info.ok);
    CHECK(info.output.find("layout table: cpython-3.13-x86_64 (built-in)") != std::string::npos);
    CHECK(info.output.ends_with("_Py_DebugOffsets: not used: thread_state.current_frame (1048576) "
                                "lies outside thread_state.size (304)\n"));
    CHECK(session.execute("pystack", "").output.find("#0 File \"" + kFacts) != std::string::npos);
  }
  SUBCASE("without a table: one line, nothing followed") {
    test::ScopedEnv off("CPYDBG_BUILTIN_LAYOUTS", "0");
    Session session(target);
    for (const char* command : {"pystack", "pyinfo", "pylocals"}) {
      auto r = session.execute(command, "");
      INFO(command << ": " << r.output);
      CHECK(!r.ok);
      CHECK(r.output == "cpydbg: no layout table for Python 3.13.0 (detected from _Py_DebugOffsets "
                        "in _PyRuntime; CPYDBG_BUILTIN_LAYOUTS=0 switched the built-in tables off; "
                        "its _Py_DebugOffsets are not used: thread_state.current_frame (1048576) "
                        "lies outside thread_state.size (304)); generate one with: cpydbg-layout "
                        "generate <its libpython or python binary with debug info> and put it in "
                        "$CPYDBG_LAYOUTS\n");
    }
  }
}

TEST_CASE("memory corrupted under a partial layout gives text, never garbage or a crash") {
  // The fuzz seeds' scenario (two threads, frames with locals of many
  // types) on a live 3.13.0, read from its _Py_DebugOffsets alone, with the
  // corruptions the seeds get: the commands it covers must still answer in
  // text or one clear line.
  test::ScopedEnv builtins_off("CPYDBG_BUILTIN_LAYOUTS", "0");
  Live313 live(CPYDBG_SOURCE_DIR "/tests/fuzz/scenario.py");
  json ids = json::parse(live.proc.output());
  std::vector<FrameInfo> frames;
  Offsets off;
  uint64_t tstate = 0;
  {
    Reader reader(live.target);
    auto py = Python::attach(reader, "");
    REQUIRE(!py->layout().partial_from.empty());
    off = py->off();
    Walker walker(*py);
    for (const auto& t : walker.threads(nullptr))
      if (t.holds_gil) {
        tstate = t.tstate;
        frames = walker.frames(t, nullptr);
      }
  }
  REQUIRE(frames.size() >= 4);  // stop, inner, outer, <module>
  auto run_all = [&](test::OverlayTarget& target) {
    Session session(target);
    std::string transcript;
    const std::vector<std::pair<std::string, std::string>> commands = {
        {"pystack", "-a -l"}, {"pylocals", ""}, {"pyinfo", ""}, {"pyup", "2"}, {"pylist", ""},
        {"py-print", "a"}, {"pyobj", ids.at("list")}, {"pyobj", ids.at("tuple")}};
    for (const auto& [name, args] : commands) {
      CommandResult r = session.execute(name, args);
      INFO(name << " " << args << " ->\n" << r.output);
      CHECK(!r.output.empty());
      CHECK(r.output.back() == '\n');
      CHECK(r.output.size() < 200000);
      if (!r.ok) CHECK(r.output.starts_with("cpydbg: "));
      transcript += r.output;
    }
    return transcript;
  };
  SUBCASE("a frame whose caller is the frame it calls") {
    test::OverlayTarget target(live.target);
    target.patch(frames[1].addr + off.iframe.previous, frames[0].addr);
    CHECK(run_all(target).find("the frame chain loops back") != std::string::npos);
  }
  SUBCASE("a code object whose local names are elsewhere") {
    test::OverlayTarget target(live.target);
    target.patch<uint64_t>(frames[0].code + off.code.co_localsplusnames, 0xdead0000);
    run_all(target);
  }
  SUBCASE("an absurd count of local names (the slot count comes from it)") {
    test::OverlayTarget target(live.target);
    Reader reader(live.target);
    uint64_t names = reader.ptr(frames[1].code + off.code.co_localsplusnames).value_or(0);
    REQUIRE(names);
    target.patch<int64_t>(names + off.var.ob_size, int64_t(1) << 40);
    run_all(target);
  }
  SUBCASE("a filename whose str kind is impossible") {
    test::OverlayTarget target(live.target);
    Reader reader(live.target);
    uint64_t filename = reader.ptr(frames[0].code + off.code.co_filename).value_or(0);
    REQUIRE(filename);
    target.patch<uint32_t>(filename + off.unicode.state, 7u << 2);
    run_all(target);
  }
  SUBCASE("the thread's frame pointer into nowhere") {
    test::OverlayTarget target(live.target);
    target.patch<uint64_t>(tstate + off.tstate.current_frame, 0x10);
    run_all(target);
  }
  SUBCASE("a list whose items are unmapped") {
    test::OverlayTarget target(live.target);
    uint64_t list = std::stoull(ids.at("list").get<std::string>(), nullptr, 16);
    target.patch<uint64_t>(list + off.list.ob_item, 0xdead0000);
    CHECK(run_all(target).find("<unreadable object at " + ids.at("list").get<std::string>() + ">") !=
          std::string::npos);
  }
}

TEST_CASE("a free-threaded build is refused in one line") {
  // The block's free_threaded flag set (its free-threaded-only entries are
  // 0, as offsets that is still plausible): cpydbg must not walk the
  // process with the object header and stack references of a GIL build.
  Live313 live(kFacts);
  test::OverlayTarget target(live.target);
  target.patch<uint64_t>(live.runtime + 16, 1);
  Session session(target);
  for (const char* command : {"pystack", "pyinfo"}) {
    auto r = session.execute(command, "");
    CHECK(r.output == "cpydbg: Python 3.13.0 is a free-threaded build (Py_GIL_DISABLED, says its "
                      "_Py_DebugOffsets): cpydbg does not read those yet (their object header, "
                      "per-thread bytecode and deferred references differ)\n");
  }
}

TEST_CASE("a plausible but wrong _Py_DebugOffsets entry fails the sanity checks") {
  // sizeof(PyListObject) as 48: inside every bound, but PyList_Type says 40.
  test::ScopedEnv off("CPYDBG_BUILTIN_LAYOUTS", "0");
  Live313 live(kFacts);
  test::OverlayTarget target(live.target);
  target.patch<uint64_t>(live.runtime + 24 + 8 * entry_index("list_object.size"), 48);
  Session session(target);
  auto r = session.execute("pystack", "");
  CHECK(r.output == "cpydbg: no table for Python 3.13.0; CPYDBG_BUILTIN_LAYOUTS=0 switched the "
                    "built-in tables off, and the layout its own _Py_DebugOffsets give does not "
                    "fit it either (PyList_Type.tp_basicsize == sizeof(PyListObject) (40 vs 48)); "
                    "generate one with: cpydbg-layout generate <its libpython or python binary "
                    "with debug info> and put it in $CPYDBG_LAYOUTS\n");
}
