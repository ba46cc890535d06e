# LLDB plugin suite: the plugin exports only its entry point, every LLDB we
# support defines the SB symbols it uses, and each of them loads it the ways
# lldb-plugin/README.md documents, with every command registered. What the
# commands print is tested by the integration matrix (matrix.cmake), which
# uses the LLDBs found here. Test scripts are tests/integration/lldb_*.py,
# run with the system python3.
if(NOT TARGET cpydbg_lldb)
  return()
endif()

find_program(CPYDBG_SYSTEM_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)
find_program(CPYDBG_NM nm)
if(NOT CPYDBG_SYSTEM_PYTHON3 OR NOT CPYDBG_NM)
  message(WARNING "cpydbg: /usr/bin/python3 or nm missing; LLDB plugin tests skipped")
  return()
endif()

# lldb 14 is Debian's `lldb`; lldb 19 is unpacked privately by ci/setup.sh.
find_program(CPYDBG_LLDB14 NAMES lldb-14 lldb)
if(DEFINED ENV{CPYDBG_LLDB19_ROOT})
  set(_lldb19_default "$ENV{CPYDBG_LLDB19_ROOT}/usr/lib/llvm-19/bin/lldb")
else()
  set(_lldb19_default /opt/cpydbg-lldb19/usr/lib/llvm-19/bin/lldb)
endif()
set(CPYDBG_LLDB19 "${_lldb19_default}" CACHE FILEPATH "lldb 19 executable")
# The LLDBs the LLDB-hosted suites (matrix.cmake, hostile.cmake) run in, as
# their scripts' arguments. Both are supported: a missing one is passed all
# the same, so that its tests fail rather than pass without it.
set(CPYDBG_LLDB_ARGS --lldb "${CPYDBG_LLDB14}" --lldb "${CPYDBG_LLDB19}")

set(_lldb_scripts ${CMAKE_CURRENT_SOURCE_DIR}/integration)
set(_plugin $<TARGET_FILE:cpydbg_lldb>)

add_test(NAME lldb_plugin_exports
  COMMAND ${CPYDBG_SYSTEM_PYTHON3} ${_lldb_scripts}/lldb_symbols.py exports ${_plugin})

foreach(version 14 19)
  set(lldb "${CPYDBG_LLDB${version}}")
  if(NOT lldb OR NOT EXISTS "${lldb}")
    message(WARNING "cpydbg: lldb ${version} not found (${lldb}); its tests will fail")
  endif()
  add_test(NAME lldb${version}_plugin_sb_symbols
    COMMAND ${CPYDBG_SYSTEM_PYTHON3} ${_lldb_scripts}/lldb_symbols.py resolves ${_plugin} ${lldb})
  add_test(NAME lldb${version}_plugin_startup
    COMMAND ${CPYDBG_SYSTEM_PYTHON3} ${_lldb_scripts}/lldb_smoke.py --lldb ${lldb} --plugin ${_plugin})
  set_tests_properties(lldb${version}_plugin_startup PROPERTIES TIMEOUT 120 LABELS lldb)
endforeach()
