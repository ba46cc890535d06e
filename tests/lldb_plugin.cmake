# LLDB plugin suite: the plugin exports only its entry point, every LLDB we
# support defines the SB symbols it uses, and it loads and answers in each of
# them against a real Python, live and from a core. Test scripts are
# tests/integration/lldb_*.py, run with the system python3.
if(NOT TARGET cpydbg_lldb)
  return()
endif()

find_program(CPYDBG_SYSTEM_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)
find_program(CPYDBG_NM nm)
find_program(CPYDBG_GDB gdb)
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
# Interpreters to load-test against: a current one, and 2.7, whose
# interp_head is a local (non-exported) symbol.
set(CPYDBG_LLDB_TEST_PYTHONS
  /root/.pyenv/versions/3.12.1/bin/python /root/.pyenv/versions/2.7.18/bin/python
  CACHE STRING "Python executables the LLDB plugin is load-tested against")

set(_lldb_scripts ${CMAKE_CURRENT_SOURCE_DIR}/integration)
set(_plugin $<TARGET_FILE:cpydbg_lldb>)

add_test(NAME lldb_plugin_exports
  COMMAND ${CPYDBG_SYSTEM_PYTHON3} ${_lldb_scripts}/lldb_symbols.py exports ${_plugin})

foreach(version 14 19)
  set(lldb "${CPYDBG_LLDB${version}}")
  if(NOT lldb OR NOT EXISTS "${lldb}")
    message(WARNING "cpydbg: lldb ${version} not found (${lldb}); its plugin tests are skipped")
    continue()
  endif()
  add_test(NAME lldb${version}_plugin_sb_symbols
    COMMAND ${CPYDBG_SYSTEM_PYTHON3} ${_lldb_scripts}/lldb_symbols.py resolves ${_plugin} ${lldb})
  foreach(python IN LISTS CPYDBG_LLDB_TEST_PYTHONS)
    if(NOT EXISTS "${python}")
      continue()
    endif()
    # "/root/.pyenv/versions/3.12.1/bin/python" -> "3.12.1"
    get_filename_component(pyver "${python}/../.." ABSOLUTE)
    get_filename_component(pyver "${pyver}" NAME)
    set(modes live)
    if(CPYDBG_GDB)
      list(APPEND modes core)  # gdb's gcore writes the core file
    endif()
    foreach(mode IN LISTS modes)
      set(name lldb${version}_plugin_${mode}_py${pyver})
      set(extra "")
      if(mode STREQUAL "core")
        set(extra --core)
      endif()
      add_test(NAME ${name}
        COMMAND ${CPYDBG_SYSTEM_PYTHON3} ${_lldb_scripts}/lldb_smoke.py
                --lldb ${lldb} --plugin ${_plugin} --python ${python} ${extra})
      set_tests_properties(${name} PROPERTIES TIMEOUT 300 LABELS "lldb;integration")
    endforeach()
  endforeach()
endforeach()
