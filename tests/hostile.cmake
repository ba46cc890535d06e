# Bad inputs in the debuggers (tests/integration/hostile.py): every case once
# in gdb and once in LLDB 14 and 19, each a one-clear-line (or bounded text)
# check; a gdb test and an LLDB test per case, so a failure names its debugger.
# Needs `cmake --install` first (ci/test.sh does it).
if(NOT TARGET cpydbg_lldb OR NOT TARGET cpydbg_gdb)
  return()
endif()

# Deferred to the end of this directory: the LLDBs (CPYDBG_LLDB_ARGS) and the
# system python3 are found by lldb_plugin.cmake, included after this file.
function(cpydbg_hostile_tests)
  set(python "${CPYDBG_SYSTEM_PYTHON3}")
  if(NOT python)
    message(FATAL_ERROR "cpydbg: no /usr/bin/python3 for the hostile tests")
  endif()
  set(script ${PROJECT_SOURCE_DIR}/tests/integration/hostile.py)
  execute_process(COMMAND ${python} ${script} --list OUTPUT_VARIABLE cases RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cpydbg: hostile.py --list failed")
  endif()
  string(REGEX MATCHALL "(^|\n)[a-z_0-9]+" cases "${cases}")
  foreach(case IN LISTS cases)
    string(STRIP "${case}" case)
    add_test(NAME hostile_gdb_${case}
      COMMAND ${python} ${script} --install ${CMAKE_INSTALL_PREFIX} --case ${case} --gdb)
    set_tests_properties(hostile_gdb_${case} PROPERTIES LABELS "integration;gdb;hostile" TIMEOUT 300)
    add_test(NAME hostile_lldb_${case}
      COMMAND ${python} ${script} --install ${CMAKE_INSTALL_PREFIX} --case ${case} ${CPYDBG_LLDB_ARGS})
    set_tests_properties(hostile_lldb_${case} PROPERTIES LABELS "integration;lldb;hostile" TIMEOUT 300)
  endforeach()
endfunction()
cmake_language(DEFER CALL cpydbg_hostile_tests)
