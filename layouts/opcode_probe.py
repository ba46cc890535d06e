# Prints, as one JSON object, the bytecode facts of the interpreter running
# it: opcode names (specialised ones included), argument/cache/jump sets,
# the deopt map and every opcode's stack effect fitted to cpydbg's StackEffect
# form  effect(arg) = by_arg[arg & 0xff] + high_byte * (arg >> 8).
#
# Runs unchanged under 2.7 and 3.6 ... 3.13 (no f-strings, no walrus).
# Embedded into cpydbg_dwarf at build time; see core/src/dwarf/opcode_probe.cpp.
#
# Stack effects are the compiler's own model, split into the fall-through
# ("nojump") and the jump / exception-handler ("jump") edge, because that is
# what lets a walker recompute co_stacksize and the depth at an instruction:
#   3.8+     dis.stack_effect(op, arg, jump=False/True)
#   3.6/3.7  dis.stack_effect gives only max(nojump, jump); the few opcodes
#            whose two edges differ are split with SPLIT_36 below (facts from
#            ceval.c, the same numbers 3.8's dis reports), checked against
#            that max.
#   2.7      no dis.stack_effect: opcode_stack_effect() of 2.7's compile.c is
#            transcribed in effect27(), with the handler depths of its
#            stackdepth_walk() and the runtime numbers where 2.7's compiler
#            over-estimates (SETUP_WITH).
import sys
import dis
import opcode

try:
    import json
except ImportError:  # pragma: no cover
    json = None

VERSION = sys.version_info[:2]
NOTES = []
PROVENANCE = {}


def note(text):
    if text not in NOTES:
        NOTES.append(text)


def clean_names(names):
    out = []
    for n in names[:256]:
        out.append("" if n.startswith("<") else n)
    while len(out) < 256:
        out.append("")
    return out


# --- names, specialised names and the deopt map -----------------------------

def collect_names():
    base = clean_names(list(opcode.opname))
    names = list(base)
    deopt = list(range(256))
    if VERSION >= (3, 11):
        # dis builds _all_opname: 3.11/3.12 put _specialized_instructions into
        # the empty slots in order; 3.13 takes _specialized_opmap (numbers
        # from the generated _opcode_metadata).  deoptmap maps name -> base.
        allnames = getattr(dis, "_all_opname", None)
        if allnames is None:
            raise SystemExit("dis._all_opname missing on %s" % (VERSION,))
        names = clean_names(list(allnames))
        specmap = {}
        for base_name, family in opcode._specializations.items():
            for spec in family:
                specmap[spec] = base_name
        for op, n in enumerate(names):
            if n in specmap:
                deopt[op] = opcode.opmap[specmap[n]]
        if VERSION >= (3, 13):
            PROVENANCE["names"] = "opcode.opname + opcode._specialized_opmap (dis._all_opname)"
            # Cross-check: _specialized_opmap numbers must be where we put them.
            for n, op in opcode._specialized_opmap.items():
                if op < 256 and names[op] != n:
                    note("3.13 _specialized_opmap[%s]=%d but slot holds %r" % (n, op, names[op]))
        else:
            PROVENANCE["names"] = ("opcode.opname + opcode._specialized_instructions in the "
                                   "empty slots (dis._all_opname)")
        PROVENANCE["deopt"] = "opcode._specializations (interpreter)"
    else:
        PROVENANCE["names"] = "opcode.opname"
        PROVENANCE["deopt"] = "identity (no specialisation before 3.11)"
    return names, deopt


def opset(name):
    return sorted(set(op for op in getattr(opcode, name, []) if 0 <= op < 256))


def collect_caches(names, deopt):
    caches = [0] * 256
    if VERSION < (3, 11):
        return caches
    ice = opcode._inline_cache_entries
    for op in range(256):
        base = deopt[op]
        if isinstance(ice, dict):  # 3.13: name -> count, base names only
            caches[op] = ice.get(opcode.opname[base] if base < len(opcode.opname) else "", 0)
        else:
            caches[op] = ice[base] if base < len(ice) else 0
    PROVENANCE["cache_entries"] = "opcode._inline_cache_entries (interpreter), specialised = base"
    return caches


# --- stack effects -----------------------------------------------------------

# (nojump, jump) for opcodes whose edges differ, 3.6/3.7.  Each pair's max is
# what 3.7's dis.stack_effect returns; 3.8's dis reports the same pairs.
SPLIT_36 = {
    "FOR_ITER": (1, -1),            # exhausted: pops the iterator
    "JUMP_IF_TRUE_OR_POP": (-1, 0),
    "JUMP_IF_FALSE_OR_POP": (-1, 0),
    "SETUP_FINALLY": (0, 6),        # handler: 3 for the old exc_info + 3 for the new
    "SETUP_EXCEPT": (0, 6),
    "SETUP_WITH": (1, 6),           # __exit__ replaces the manager, result pushed
    "SETUP_ASYNC_WITH": (0, 5),     # block level is below the __aenter__ result
}
# 3.6's compiler over-estimates these (its stackdepth walk takes the maximum
# over paths); 3.7 balanced them.  The walker needs one balanced model, so 3.6
# gets 3.7's numbers (the opcodes behave the same at run time).
BALANCED_37 = {
    "END_FINALLY": -6,
    "WITH_CLEANUP_START": 2,
    "WITH_CLEANUP_FINISH": -3,
    "POP_EXCEPT": -3,
}


def effect27(name, arg):
    """2.7's compile.c opcode_stack_effect(), transcribed, as (nojump, jump)."""
    fixed = {
        "STOP_CODE": 0, "NOP": 0, "POP_TOP": -1, "ROT_TWO": 0, "ROT_THREE": 0,
        "DUP_TOP": 1, "ROT_FOUR": 0,
        "UNARY_POSITIVE": 0, "UNARY_NEGATIVE": 0, "UNARY_NOT": 0,
        "UNARY_CONVERT": 0, "UNARY_INVERT": 0,
        "SET_ADD": -1, "LIST_APPEND": -1, "MAP_ADD": -2,
        "BINARY_POWER": -1, "BINARY_MULTIPLY": -1, "BINARY_DIVIDE": -1,
        "BINARY_MODULO": -1, "BINARY_ADD": -1, "BINARY_SUBTRACT": -1,
        "BINARY_SUBSCR": -1, "BINARY_FLOOR_DIVIDE": -1, "BINARY_TRUE_DIVIDE": -1,
        "INPLACE_FLOOR_DIVIDE": -1, "INPLACE_TRUE_DIVIDE": -1,
        "SLICE+0": 0, "SLICE+1": -1, "SLICE+2": -1, "SLICE+3": -2,
        "STORE_SLICE+0": -2, "STORE_SLICE+1": -3, "STORE_SLICE+2": -3,
        "STORE_SLICE+3": -4,
        "DELETE_SLICE+0": -1, "DELETE_SLICE+1": -2, "DELETE_SLICE+2": -2,
        "DELETE_SLICE+3": -3,
        "INPLACE_ADD": -1, "INPLACE_SUBTRACT": -1, "INPLACE_MULTIPLY": -1,
        "INPLACE_DIVIDE": -1, "INPLACE_MODULO": -1,
        "STORE_SUBSCR": -3, "STORE_MAP": -2, "DELETE_SUBSCR": -2,
        "BINARY_LSHIFT": -1, "BINARY_RSHIFT": -1, "BINARY_AND": -1,
        "BINARY_XOR": -1, "BINARY_OR": -1, "INPLACE_POWER": -1, "GET_ITER": 0,
        "PRINT_EXPR": -1, "PRINT_ITEM": -1, "PRINT_NEWLINE": 0,
        "PRINT_ITEM_TO": -2, "PRINT_NEWLINE_TO": -1,
        "INPLACE_LSHIFT": -1, "INPLACE_RSHIFT": -1, "INPLACE_AND": -1,
        "INPLACE_XOR": -1, "INPLACE_OR": -1,
        "BREAK_LOOP": 0,
        "WITH_CLEANUP": -1,
        "LOAD_LOCALS": 1, "RETURN_VALUE": -1, "IMPORT_STAR": -1,
        "EXEC_STMT": -3, "YIELD_VALUE": 0, "POP_BLOCK": 0,
        "END_FINALLY": -3,
        "BUILD_CLASS": -2, "STORE_NAME": -1, "DELETE_NAME": 0,
        "STORE_ATTR": -2, "DELETE_ATTR": -1, "STORE_GLOBAL": -1,
        "DELETE_GLOBAL": 0, "LOAD_CONST": 1, "LOAD_NAME": 1, "BUILD_MAP": 1,
        "LOAD_ATTR": 0, "COMPARE_OP": -1, "IMPORT_NAME": -1, "IMPORT_FROM": 1,
        "JUMP_FORWARD": 0, "JUMP_ABSOLUTE": 0,
        "POP_JUMP_IF_FALSE": -1, "POP_JUMP_IF_TRUE": -1,
        "LOAD_GLOBAL": 1, "CONTINUE_LOOP": 0, "SETUP_LOOP": 0,
        "LOAD_FAST": 1, "STORE_FAST": -1, "DELETE_FAST": 0,
        "LOAD_CLOSURE": 1, "LOAD_DEREF": 1, "STORE_DEREF": -1,
        "EXTENDED_ARG": 0,
    }
    if name in fixed:
        e = fixed[name]
        return e, e
    if name == "FOR_ITER":
        return 1, -1                    # stackdepth_walk: target_depth = depth - 2
    if name in ("SETUP_EXCEPT", "SETUP_FINALLY"):
        return 0, 3                     # stackdepth_walk: target_depth = depth + 3
    if name == "SETUP_WITH":
        # compile.c says 4 on both edges, an over-estimate; ceval.c: __exit__
        # replaces the manager, a SETUP_FINALLY block is set up at that level,
        # the __enter__ result is pushed: +1, and the handler gets +3.
        return 1, 3
    if name in ("JUMP_IF_TRUE_OR_POP", "JUMP_IF_FALSE_OR_POP"):
        return -1, 0                    # pops only when falling through
    if name == "UNPACK_SEQUENCE":
        e = arg - 1
    elif name == "DUP_TOPX":
        e = arg
    elif name in ("BUILD_TUPLE", "BUILD_LIST", "BUILD_SET"):
        e = 1 - arg
    elif name == "RAISE_VARARGS":
        e = -arg
    elif name in ("CALL_FUNCTION", "CALL_FUNCTION_VAR", "CALL_FUNCTION_KW",
                  "CALL_FUNCTION_VAR_KW"):
        nargs = (arg % 256) + 2 * (arg // 256)
        extra = {"CALL_FUNCTION": 0, "CALL_FUNCTION_VAR": 1,
                 "CALL_FUNCTION_KW": 1, "CALL_FUNCTION_VAR_KW": 2}[name]
        e = -nargs - extra
    elif name == "MAKE_FUNCTION":
        e = -arg
    elif name == "MAKE_CLOSURE":
        e = -arg - 1
    elif name == "BUILD_SLICE":
        e = -2 if arg == 3 else -1
    else:
        return None
    return e, e


def has_arg(op):
    if VERSION >= (3, 13):
        import _opcode
        return _opcode.has_arg(op)
    return op >= opcode.HAVE_ARGUMENT


def raw_effect(op, name, arg, jump):
    """Stack effect of op with arg on one edge, or None when undefined."""
    if VERSION < (3, 4):
        r = effect27(name, arg)
        return None if r is None else r[1 if jump else 0]
    a = arg if has_arg(op) else None
    try:
        if VERSION >= (3, 8):
            return dis.stack_effect(op, a, jump=jump)
        e = dis.stack_effect(op, a)
    except ValueError:
        if name in ("NOP", "EXTENDED_ARG"):
            # 3.6/3.7's stack_effect() rejects them; neither touches the stack
            # (EXTENDED_ARG is folded into the next instruction's argument).
            note("%s: dis.stack_effect rejects it, 0 assumed" % name)
            return 0
        return None
    if name in SPLIT_36:
        nj, j = SPLIT_36[name]
        if max(nj, j) != e:
            note("%s: dis.stack_effect says %d, split (%d, %d) assumed" % (name, e, nj, j))
        return j if jump else nj
    if VERSION < (3, 7) and name in BALANCED_37:
        return BALANCED_37[name]
    return e


def fit(values, name):
    """values[arg] for arg 0..1023 -> JSON form of StackEffect, or None."""
    if all(v == values[0] for v in values):
        return values[0]
    by_arg = values[:256]
    high = values[256] - values[0]
    for arg, v in enumerate(values):
        if by_arg[arg & 0xff] + high * (arg >> 8) != v:
            if arg < 256:
                return None
            # BUILD_SLICE: -2 only for arg == 3, not for 259; the compiler
            # emits 2 or 3 only, so the one-byte table is exact in practice.
            note("stack effect of %s fits only for arg < 256 (differs at %d)" % (name, arg))
            high = 0
            break
    out = {"by_arg": by_arg}
    if high:
        out["high_byte"] = high
    return out


def collect_effects(names, deopt):
    effects = {"effect_nojump": {}, "effect_jump": {}}
    base_names = clean_names(list(opcode.opname))
    for op in range(256):
        name = base_names[op]
        source_op = op
        if not name:
            continue
        if name.startswith("INSTRUMENTED_") and name[13:] in opcode.opmap:
            # The instrumented form behaves like the base for the stack.
            source_op = opcode.opmap[name[13:]]
        for key, jump in (("effect_nojump", False), ("effect_jump", True)):
            src_name = base_names[source_op]
            values = []
            for arg in range(1024 if has_arg(source_op) else 1):
                v = raw_effect(source_op, src_name, arg, jump)
                if v is None:
                    values = None
                    break
                values.append(v)
            if values is None:
                if key == "effect_nojump":
                    note("no stack effect for %s (%d)" % (name, op))
                continue
            if len(values) == 1:
                values = values * 1024
            f = fit(values, name)
            if f is None:
                note("stack effect of %s (%d) does not fit by_arg + high_byte" % (name, op))
                continue
            effects[key][str(op)] = f
    # Specialised opcodes share their base's effect.
    for op in range(256):
        if deopt[op] != op:
            for key in effects:
                base = str(deopt[op])
                if base in effects[key]:
                    effects[key][str(op)] = effects[key][base]
    if VERSION >= (3, 8):
        PROVENANCE["stack_effects"] = "dis.stack_effect(op, arg, jump=False/True), args 0..1023"
    elif VERSION >= (3, 4):
        PROVENANCE["stack_effects"] = ("dis.stack_effect(op, arg) (max of both edges), split for "
                                       "jumping/SETUP opcodes from ceval.c facts"
                                       + ("; END_FINALLY/WITH_CLEANUP_*/POP_EXCEPT take 3.7's "
                                          "balanced numbers" if VERSION < (3, 7) else ""))
    else:
        PROVENANCE["stack_effects"] = ("2.7 compile.c opcode_stack_effect + stackdepth_walk "
                                       "handler rules, transcribed; SETUP_WITH from ceval.c")
    return effects


def line_table_format():
    if VERSION < (3, 0):
        return "lnotab27"
    if VERSION < (3, 10):
        return "lnotab"
    if VERSION < (3, 11):
        return "linetable310"
    return "locations311"


def main():
    names, deopt = collect_names()
    out = {
        "version": "%d.%d.%d" % tuple(sys.version_info[:3]),
        "hexversion": sys.hexversion,
        "names": names,
        "deopt": deopt,
        "cache_entries": collect_caches(names, deopt),
        "have_argument": opcode.HAVE_ARGUMENT,
        "extended_arg": opcode.EXTENDED_ARG,
        "cache_opcode": opcode.opmap.get("CACHE", -1),
        "line_table": line_table_format(),
        "jump_unit": "code_units" if VERSION >= (3, 10) else "bytes",
        "backward_jumps_relative": VERSION >= (3, 11),
    }
    for s in ("hasjrel", "hasjabs", "hasconst", "hasname", "haslocal", "hasfree", "hascompare"):
        out[s] = opset(s)
    # 3.12+ lists them (3.13 breaks ">= HAVE_ARGUMENT"); before, that rule is it.
    base_names = clean_names(list(opcode.opname))
    out["hasarg"] = [op for op in range(256) if base_names[op] and has_arg(op)]
    PROVENANCE["sets"] = "opcode.has* lists (interpreter)"
    out.update(collect_effects(names, deopt))
    out["provenance"] = PROVENANCE
    out["notes"] = NOTES
    sys.stdout.write(json.dumps(out, sort_keys=True))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
