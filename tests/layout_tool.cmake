# cpydbg-layout and the committed tables: check every table, reproduce each
# from its build (not stale, < 200 MB; its time goes to bench/), the header oracle, and the
# command line behaviour. Scripts in tests/layout_tool and tests/oracle.
find_program(CPYDBG_PYTHON3 python3)
if(TARGET cpydbg-layout AND CPYDBG_PYTHON3)
  set(tool $<TARGET_FILE:cpydbg-layout>)
  set(layouts ${PROJECT_SOURCE_DIR}/layouts)
  set(pyenv ${CPYDBG_PYENV_ROOT}/versions)

  file(GLOB tables CONFIGURE_DEPENDS ${layouts}/*.json)
  foreach(t IN LISTS tables)
    get_filename_component(name ${t} NAME_WLE)
    add_test(NAME layout_check_${name} COMMAND ${tool} check ${t})
  endforeach()

  # table name | build it is generated from | headers | interpreter | generate options (+ separated)
  set(builds
    "cpython-2.7-x86_64|${pyenv}/2.7.18/lib/libpython2.7.so.1.0|${pyenv}/2.7.18/include/python2.7|${pyenv}/2.7.18/bin/python2.7|"
    "cpython-3.6-x86_64|${pyenv}/3.6.15/lib/libpython3.6m.so.1.0|${pyenv}/3.6.15/include/python3.6m|${pyenv}/3.6.15/bin/python3.6|"
    "cpython-3.7-x86_64|${pyenv}/3.7.16/lib/libpython3.7m.so.1.0|${pyenv}/3.7.16/include/python3.7m|${pyenv}/3.7.16/bin/python3.7|"
    "cpython-3.8-x86_64|${pyenv}/3.8.18/lib/libpython3.8.so.1.0|${pyenv}/3.8.18/include/python3.8|${pyenv}/3.8.18/bin/python3.8|"
    "cpython-3.9-x86_64|${pyenv}/3.9.18/lib/libpython3.9.so.1.0|${pyenv}/3.9.18/include/python3.9|${pyenv}/3.9.18/bin/python3.9|"
    "cpython-3.10-x86_64|${pyenv}/3.10.13/lib/libpython3.10.so.1.0|${pyenv}/3.10.13/include/python3.10|${pyenv}/3.10.13/bin/python3.10|"
    "cpython-3.11-x86_64|${pyenv}/3.11.7/lib/libpython3.11.so.1.0|${pyenv}/3.11.7/include/python3.11|${pyenv}/3.11.7/bin/python3.11|"
    "cpython-3.12-x86_64|${pyenv}/3.12.1/lib/libpython3.12.so.1.0|${pyenv}/3.12.1/include/python3.12|${pyenv}/3.12.1/bin/python3.12|"
    "cpython-3.13-x86_64|${pyenv}/3.13.0/lib/libpython3.13.so.1.0|${pyenv}/3.13.0/include/python3.13|${pyenv}/3.13.0/bin/python3.13|"
    "cpython-3.11-debian-x86_64|/usr/bin/python3.11|/usr/include/python3.11|/usr/bin/python3.11|--variant+debian"
    "cpython-3.11-debug-x86_64|/usr/bin/python3.11d|/usr/include/python3.11d|/usr/bin/python3.11d|")
  set(rss_limit "")
  if(CPYDBG_SANITIZE)
    set(rss_limit --rss-limit-mb=600)  # ASan's own overhead: see reproduce.py
  endif()
  foreach(entry IN LISTS builds)
    string(REPLACE "|" ";" parts "${entry}")
    string(REPLACE "+" ";" parts "${parts}")
    list(GET parts 0 name)
    list(GET parts 1 source)
    list(GET parts 2 headers)
    list(GET parts 3 python)
    list(LENGTH parts n)
    set(extra "")
    if(n GREATER 4)
      list(SUBLIST parts 4 -1 extra)
    endif()
    add_test(NAME layout_reproduces_${name}
      COMMAND ${CPYDBG_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/layout_tool/reproduce.py
              ${rss_limit} ${tool} ${source} ${layouts}/${name}.json ${python} ${extra})
    add_test(NAME layout_oracle_${name}
      COMMAND ${CPYDBG_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/oracle/oracle.py
              ${layouts}/${name}.json ${headers})
  endforeach()

  foreach(scenario list diff check-bad missing-dwarf usage)
    add_test(NAME layout_cli_${scenario}
      COMMAND ${CPYDBG_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/layout_tool/cli.py
              ${tool} ${layouts} ${scenario})
    set_tests_properties(layout_cli_${scenario} PROPERTIES
      ENVIRONMENT "PYENV_ROOT=${CPYDBG_PYENV_ROOT}")
  endforeach()
endif()
