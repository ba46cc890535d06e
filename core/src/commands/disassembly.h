// pyopstack's instruction listing: what an instruction's argument means in
// its code object (a name, a constant, a local, a jump target, an operator).
#pragma once

#include <string>

#include "commands/context.h"
#include "cpydbg/bytecode.h"

namespace cpydbg {

// "a", "'two'", "NULL + print", "to 40", "+", or "" when the argument has
// no meaning beyond its number (or the code's tuples are unreadable).
std::string argument_meaning(Context& ctx, const CodeInfo& code, const bytecode::Instruction& in);

}  // namespace cpydbg
