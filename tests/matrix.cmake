# The integration matrix: every interpreter of the support table x {real
# binaries, copies stripped as distributions ship them (objcopy --strip-all,
# no build-id, no debuglink: only .dynsym left)}, and Debian's python3.11 as
# installed with python3.11-dbg's files hidden from the debugger; each test runs one scenario live and from a
# gcore'd core in gdb and in LLDB 14 and 19 (CPYDBG_LLDB_ARGS of lldb_plugin.cmake; a
# missing one fails the tests), checks the commands against the truth the
# scenario wrote about itself, and checks that gdb and each LLDB print the
# same text for the same core.
# Needs `cmake --install` first (ci/test.sh does it). A missing interpreter is
# a failing test, never a skipped one.
set(CPYDBG_TEST_INTERPRETERS
  2.7.18 3.6.15 3.7.16 3.8.18 3.9.18 3.10.13 3.11.7 3.12.1 3.13.0 debian-3.11 debian-3.11d
  CACHE STRING "Interpreters of the support table: pyenv versions, debian-3.11, debian-3.11d")
# Scenarios in tests/integration/scenarios (a plain variable, so a build
# directory configured earlier picks up new ones).
set(CPYDBG_TEST_SCENARIOS stack objects navigation opstack native)
# Frame selection, the command aliases and the formatter do not depend on
# DWARF: navigation and objects run on the stripped copies only (the path
# with less to go on), which keeps the suite short. The formatter is also
# checked on the real binaries, without a debugger, by the unit test
# "repr of every supported type matches the interpreter's own repr()".
set(_matrix_variants_navigation stripped)
set(_matrix_variants_objects stripped)

# The harness is standard-library Python for the system's python3, not
# whatever python3 comes first on PATH (a pyenv shim here).
find_program(CPYDBG_SYSTEM_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)

foreach(scenario IN LISTS CPYDBG_TEST_SCENARIOS)
  foreach(python IN LISTS CPYDBG_TEST_INTERPRETERS)
    set(variants dwarf stripped)
    if(DEFINED _matrix_variants_${scenario})
      set(variants ${_matrix_variants_${scenario}})
    endif()
    # What most Debian users run: every scenario.
    if(python STREQUAL "debian-3.11")
      list(APPEND variants installed)
    endif()
    foreach(variant IN LISTS variants)
      set(extra "")
      if(NOT variant STREQUAL "dwarf")
        set(extra --${variant})
      endif()
      set(name matrix_${scenario}_${variant}_${python})
      add_test(NAME ${name}
        COMMAND ${CPYDBG_SYSTEM_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/integration/matrix.py
                --install ${CMAKE_INSTALL_PREFIX} --python ${python} --scenario ${scenario}
                ${extra} ${CPYDBG_LLDB_ARGS})
      set_tests_properties(${name} PROPERTIES LABELS "integration;gdb;lldb" TIMEOUT 600)
    endforeach()
  endforeach()
endforeach()
