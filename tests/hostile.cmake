# Bad inputs in the debuggers (tests/integration/hostile.py): every case once
# in gdb and once in every LLDB found, each a one-clear-line (or bounded text)
# check. Separate gdb and LLDB tests so the sanitizer mode can run the LLDB
# half alone (gdb cannot host a preloaded ASan runtime; see README).
# Needs `cmake --install` first (ci/test.sh does it).
if(NOT TARGET cpydbg_lldb OR NOT TARGET cpydbg_gdb)
  return()
endif()
set(_hostile ${CMAKE_CURRENT_SOURCE_DIR}/integration/hostile.py)
execute_process(COMMAND python3 ${_hostile} --list OUTPUT_VARIABLE _cases RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "cpydbg: hostile.py --list failed")
endif()
string(REGEX MATCHALL "(^|\n)[a-z_0-9]+" _cases "${_cases}")
set(_lldbs "")
foreach(lldb IN ITEMS "${CPYDBG_LLDB14}" "${CPYDBG_LLDB19}")
  if(lldb AND EXISTS "${lldb}")
    list(APPEND _lldbs --lldb "${lldb}")
  endif()
endforeach()
foreach(case IN LISTS _cases)
  string(STRIP "${case}" case)
  add_test(NAME hostile_gdb_${case}
    COMMAND python3 ${_hostile} --install ${CMAKE_INSTALL_PREFIX} --case ${case} --gdb)
  set_tests_properties(hostile_gdb_${case} PROPERTIES LABELS "integration;gdb;hostile" TIMEOUT 300)
  if(_lldbs)
    add_test(NAME hostile_lldb_${case}
      COMMAND python3 ${_hostile} --install ${CMAKE_INSTALL_PREFIX} --case ${case} ${_lldbs})
    set_tests_properties(hostile_lldb_${case} PROPERTIES LABELS "integration;lldb;hostile" TIMEOUT 300)
  endif()
endforeach()
