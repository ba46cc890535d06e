// Names of the operators that COMPARE_OP and BINARY_OP encode in their
// argument, as dis prints them. CPython keeps these as Python lists
// (opcode.cmp_op, dis._nb_ops), not in the binary, and they have only grown
// at the end; the argument's encoding is what changed between versions.
#include "cpydbg/bytecode.h"

namespace cpydbg::bytecode {

std::string compare_op_name(int major, int minor, uint32_t arg) {
  // <=3.8 also had in / not in / is / is not / exception match (later
  // separate opcodes); 3.12 keeps the mask bits in the low 4 bits of the
  // argument, 3.13 in the low 5 (bit 4: the result is coerced to bool).
  static const char* const kOps[] = {"<", "<=", "==", "!=", ">", ">=", "in", "not in", "is",
                                     "is not", "exception match", "BAD"};
  bool old = major == 2 || (major == 3 && minor <= 8);
  uint32_t shift = major == 3 && minor >= 13 ? 5 : major == 3 && minor == 12 ? 4 : 0;
  uint32_t i = arg >> shift;
  if (i >= (old ? 12u : 6u)) return "";
  std::string name = kOps[i];
  if (shift == 5 && (arg & 16)) name = "bool(" + name + ")";
  return name;
}

std::string binary_op_name(uint32_t arg) {
  static const char* const kOps[] = {"+",  "&",  "//",  "<<",  "@",  "*",  "%",  "|",  "**",
                                     ">>", "-",  "/",   "^",   "+=", "&=", "//=", "<<=", "@=",
                                     "*=", "%=", "|=",  "**=", ">>=", "-=", "/=",  "^="};
  return arg < sizeof kOps / sizeof *kOps ? kOps[arg] : "";
}

}  // namespace cpydbg::bytecode
