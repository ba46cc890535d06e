# Bad inputs in the debuggers (tests/integration/hostile.py): every case once
# in gdb and once in every LLDB found, each a one-clear-line (or bounded text)
# check. Separate gdb and LLDB tests so the sanitizer mode can run the LLDB
# half alone (gdb cannot host a preloaded ASan runtime; see README).
# Needs `cmake --install` first (ci/test.sh does it).
if(NOT TARGET cpydbg_lldb OR NOT TARGET cpydbg_gdb)
  return()
endif()

# Deferred to the end of this directory: the LLDBs and the system python3
# are found by lldb_plugin.cmake, which is included after this file.
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
  set(lldbs "")
  foreach(lldb IN ITEMS "${CPYDBG_LLDB14}" "${CPYDBG_LLDB19}")
    if(lldb AND EXISTS "${lldb}")
      list(APPEND lldbs --lldb "${lldb}")
    endif()
  endforeach()
  if(NOT lldbs)
    message(FATAL_ERROR "cpydbg: no LLDB found for the hostile tests")
  endif()
  foreach(case IN LISTS cases)
    string(STRIP "${case}" case)
    add_test(NAME hostile_gdb_${case}
      COMMAND ${python} ${script} --install ${CMAKE_INSTALL_PREFIX} --case ${case} --gdb)
    set_tests_properties(hostile_gdb_${case} PROPERTIES LABELS "integration;gdb;hostile" TIMEOUT 300)
    add_test(NAME hostile_lldb_${case}
      COMMAND ${python} ${script} --install ${CMAKE_INSTALL_PREFIX} --case ${case} ${lldbs})
    set_tests_properties(hostile_lldb_${case} PROPERTIES LABELS "integration;lldb;hostile" TIMEOUT 300)
  endforeach()
endfunction()
cmake_language(DEFER CALL cpydbg_hostile_tests)
