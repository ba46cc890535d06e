# Python 3.13+ read through its own _Py_DebugOffsets, with the built-in
# tables switched off (CPYDBG_BUILTIN_LAYOUTS=0 and no CPYDBG_LAYOUTS, in the
# debuggers' own environment): the `debug_offsets` scenario of the matrix on
# pyenv 3.13.0, real and stripped, live and from a core, in gdb and LLDB 14
# and 19; and `cpydbg-layout generate --from-debug-offsets` on a live 3.13.0
# and a core of it. Needs `cmake --install` first (ci/test.sh does it).
set(CPYDBG_DEBUG_OFFSETS_INTERPRETERS 3.13.0
  CACHE STRING "Interpreters (3.13+) the _Py_DebugOffsets tests run on")

# Deferred to the end of this directory: the LLDBs (CPYDBG_LLDB_ARGS) and the
# system python3 are found by files included after this one.
function(cpydbg_debug_offsets_tests)
  if(TARGET cpydbg_lldb AND TARGET cpydbg_gdb)
    foreach(python IN LISTS CPYDBG_DEBUG_OFFSETS_INTERPRETERS)
      foreach(variant dwarf stripped)
        set(extra "")
        if(variant STREQUAL "stripped")
          set(extra --stripped)
        endif()
        set(name matrix_debug_offsets_${variant}_${python})
        add_test(NAME ${name}
          COMMAND ${CPYDBG_SYSTEM_PYTHON3} ${PROJECT_SOURCE_DIR}/tests/integration/matrix.py
                  --install ${CMAKE_INSTALL_PREFIX} --python ${python} --scenario debug_offsets
                  --debugger-env CPYDBG_BUILTIN_LAYOUTS=0 --debugger-env CPYDBG_LAYOUTS=
                  ${extra} ${CPYDBG_LLDB_ARGS})
        set_tests_properties(${name} PROPERTIES LABELS "integration;gdb;lldb" TIMEOUT 600)
      endforeach()
    endforeach()
  endif()
  if(TARGET cpydbg-layout)
    add_test(NAME layout_from_debug_offsets
      COMMAND ${CPYDBG_SYSTEM_PYTHON3} ${PROJECT_SOURCE_DIR}/tests/layout_tool/from_debug_offsets.py
              $<TARGET_FILE:cpydbg-layout> ${PROJECT_SOURCE_DIR}/layouts ${CPYDBG_PYENV_ROOT}/versions)
  endif()
endfunction()
cmake_language(DEFER CALL cpydbg_debug_offsets_tests)
