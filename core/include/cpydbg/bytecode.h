// Bytecode of a code object, as pure functions over bytes the walker has
// already read: line tables, instruction decoding, exception tables and the
// value-stack depth at an instruction. No debugger, no memory access.
//
// Offsets are always BYTES from the start of the code, whatever the version
// counts in: the walker converts first (3.10 f_lasti * 2; 3.11/3.12
// prev_instr - co_code_adaptive, the previous code unit; 3.13 instr_ptr -
// co_code_adaptive, the current one).
//
// Typical use by the walker, per frame:
//   auto code = <co_code / co_code_adaptive bytes>;
//   auto lines = bytecode::decode_line_table(t.line_table, linetable, firstlineno, code.size());
//   int line = bytecode::line_at(lines, offset).line;
//   auto insns = bytecode::decode(t, code);            // for pyopstack's listing
//   // memoise per code address: the analysis is O(code size)
//   auto depths = bytecode::analyse_stack(t, code, co_flags, co_exceptiontable /* 3.11+ */);
//   bytecode::StackDepth d = bytecode::depth_at(depths, offset_of_current_instruction);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cpydbg/layout.h"

namespace cpydbg::bytecode {

// ---- line tables ------------------------------------------------------------

// One run of code bytes [start, end) with one source position. line == -1:
// no line (3.10+ artificial instructions). Columns are 0-based, -1 unknown
// (only the 3.11+ location table has them).
struct LineRange {
  uint32_t start = 0, end = 0;
  int line = -1, end_line = -1;
  int col = -1, end_col = -1;
};

// format: OpcodeTable::line_table ("lnotab27", "lnotab", "linetable310",
// "locations311"). code_size bounds the last range of the lnotab formats.
// Malformed tables end early rather than throw (the bytes come from a target
// that may be corrupt); unknown format -> empty.
std::vector<LineRange> decode_line_table(std::string_view format, std::string_view table,
                                         int firstlineno, size_t code_size);
// The range holding offset; line == -1 when none does.
LineRange line_at(const std::vector<LineRange>& ranges, uint32_t offset);
// Convenience: decode + look up one offset.
int line_for_offset(std::string_view format, std::string_view table, int firstlineno,
                    size_t code_size, uint32_t offset);

// ---- instructions -------------------------------------------------------------

struct Instruction {
  uint32_t offset = 0;   // bytes: the opcode's own position (EXTENDED_ARG prefixes
                         // are instructions of their own, as dis shows them)
  uint32_t size = 0;     // bytes including inline CACHE entries (3.11+)
  uint16_t opcode = 0;   // as found in the code (may be specialised/instrumented)
  uint16_t base = 0;     // deoptimised: specialised -> family base, INSTRUMENTED_X -> X
  uint32_t arg = 0;      // with EXTENDED_ARG prefixes folded in; 0 when no argument
  bool has_arg = false;
  int64_t jump_target = -1;  // bytes, for jumping opcodes
  // INSTRUMENTED_LINE / INSTRUMENTED_INSTRUCTION (3.12+) and ENTER_EXECUTOR
  // (3.13) replace an opcode kept elsewhere (_co_monitoring, co_executors)
  // that the caller did not supply: base, size and arg are guesses.
  bool original_unknown = false;

  uint32_t next() const { return offset + size; }
};

struct DecodeOptions {
  // Original opcodes of INSTRUMENTED_LINE/INSTRUCTION/ENTER_EXECUTOR sites,
  // by byte offset, when the walker has read them from _co_monitoring.
  const std::unordered_map<uint32_t, uint8_t>* originals = nullptr;
};

std::vector<Instruction> decode(const OpcodeTable& t, std::string_view code,
                                const DecodeOptions& options = {});
// "LOAD_FAST", or "BINARY_OP_ADD_INT (BINARY_OP)" when specialised.
std::string display_name(const OpcodeTable& t, const Instruction& insn);
// The instruction whose bytes (opcode or its caches) contain offset, or null.
const Instruction* instruction_at(const std::vector<Instruction>& insns, uint32_t offset);

// The operator in a COMPARE_OP argument ("<", "==", 3.13 "bool(==)") and in
// a BINARY_OP one (3.11+: "+", "*=", ...), as dis shows them; "" if unknown.
std::string compare_op_name(int major, int minor, uint32_t arg);
std::string binary_op_name(uint32_t arg);

// ---- exception table (3.11+) -----------------------------------------------

struct ExceptionEntry {
  uint32_t start = 0, end = 0;  // bytes, [start, end)
  uint32_t target = 0;          // bytes
  int depth = 0;                // stack depth the handler unwinds to
  bool lasti = false;           // the handler also gets the raising offset pushed
};
// Stops at the first malformed entry.
std::vector<ExceptionEntry> parse_exception_table(std::string_view table);

// ---- value-stack depth ---------------------------------------------------------

// Depth before each reachable instruction, by abstract interpretation of the
// deoptimised bytecode with the table's stack effects (fall-through edges
// with effect_nojump, jumps with effect_jump; <=3.10 SETUP_* jump edges give
// handler depths, 3.11+ handlers come from the exception table with
// depth + lasti + 1). This is the compiler's own co_stacksize analysis.
struct StackAnalysis {
  std::string error;                  // non-empty: no depths (why)
  std::vector<Instruction> insns;
  std::vector<int> depth;             // per insn; -1 = unreachable
  // per insn: the run-time depth depends on the path (<=3.8 finally and
  // with-cleanup blocks: the exception path holds more values than the
  // normal/return path); depth[] then holds the largest.
  std::vector<uint8_t> ambiguous;
  int max_depth = 0;                  // comparable to co_stacksize
};

// co_flags: the code object's flags; generators and coroutines of 3.10-3.12
// start with the sent value on the stack (see entry_depth).
StackAnalysis analyse_stack(const OpcodeTable& t, std::string_view code, uint32_t co_flags,
                            std::string_view exception_table = {},
                            const DecodeOptions& options = {});
// Depth at the first instruction.
int entry_depth(const OpcodeTable& t, uint32_t co_flags);
// What the instruction does to the depth when it falls through, as the
// interpreter runs it (the table's effect, where the compiler's bookkeeping
// differs corrected); nullopt when the table has none.
std::optional<int> run_time_effect(const OpcodeTable& t, const Instruction& in);

struct StackDepth {
  int depth = -1;      // values on the stack before the instruction executes
  bool exact = false;  // false: paths disagree (<=3.8 finally/with-cleanup
                       // blocks); depth is then the largest, i.e. the
                       // exception path's
  std::string error;   // set when depth == -1
};
// offset may point at an instruction's CACHE entries (3.11/3.12 prev_instr).
StackDepth depth_at(const StackAnalysis& analysis, uint32_t offset);

}  // namespace cpydbg::bytecode
