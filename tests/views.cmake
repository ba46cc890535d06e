# The debugger's own views of Python values (gdb pretty-printers, LLDB type
# summaries) at a C breakpoint on builtin_id, against the truth the target
# wrote (tests/integration/views.py): live and from a core, in gdb and in
# LLDB 14 and 19 (CPYDBG_LLDB_ARGS of lldb_plugin.cmake). The pyenv builds
# only: the views need the C types from DWARF, and Debian's release build
# inlines builtin_id away. Needs `cmake --install` first (ci/test.sh does it).
if(NOT TARGET cpydbg_gdb OR NOT TARGET cpydbg_lldb)
  return()
endif()

# Deferred: the LLDBs and the system python3 are found by lldb_plugin.cmake,
# included after this file.
function(cpydbg_views_tests)
  foreach(python IN LISTS CPYDBG_TEST_INTERPRETERS)
    if(python MATCHES "^debian-")
      continue()
    endif()
    add_test(NAME views_${python}
      COMMAND ${CPYDBG_SYSTEM_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/integration/views.py
              --install ${CMAKE_INSTALL_PREFIX} --python ${python} ${CPYDBG_LLDB_ARGS})
    set_tests_properties(views_${python} PROPERTIES LABELS "integration;gdb;lldb" TIMEOUT 300)
  endforeach()
endfunction()
cmake_language(DEFER CALL cpydbg_views_tests)
