# Python breakpoints and stepping (tests/integration/breakpoints.py): for each
# interpreter of the support table, a launch session in gdb, LLDB 14 and LLDB
# 19 on the real binaries and on stripped copies, and an attach session on the
# stripped copies (the agent never reads DWARF; what the walk at a stop needs
# of it is the matrix's business). Needs `cmake --install` first.
if(NOT TARGET cpydbg_lldb OR NOT TARGET cpydbg_gdb OR NOT TARGET cpydbg_agent)
  return()
endif()

# Deferred to the end of this directory: the interpreters (matrix.cmake) and
# the LLDBs (lldb_plugin.cmake) are defined by files included after this one.
function(cpydbg_breakpoint_tests)
  set(script ${PROJECT_SOURCE_DIR}/tests/integration/breakpoints.py)
  foreach(python IN LISTS CPYDBG_TEST_INTERPRETERS)
    foreach(variant IN ITEMS launch_dwarf launch_stripped attach_stripped)
      set(extra "")
      if(variant MATCHES "stripped")
        list(APPEND extra --stripped)
      endif()
      if(variant MATCHES "attach")
        list(APPEND extra --attach)
      endif()
      set(name breakpoints_${variant}_${python})
      add_test(NAME ${name}
        COMMAND ${CPYDBG_SYSTEM_PYTHON3} ${script} --install ${CMAKE_INSTALL_PREFIX} --python ${python}
                ${extra} ${CPYDBG_LLDB_ARGS})
      set_tests_properties(${name} PROPERTIES LABELS "integration;gdb;lldb;breakpoints" TIMEOUT 600)
    endforeach()
  endforeach()
endfunction()
cmake_language(DEFER CALL cpydbg_breakpoint_tests)
