# CPython's own test_gdb, from each pyenv install that ships it, run against
# the gdb bridge and against that install's libpython in the same run
# (tests/test_gdb/compare.py); a test fails when cpydbg passes fewer of its
# test methods than libpython. Every version is registered; those labelled
# test_gdb_more are left out of the default run to keep the suite short
# (one version per frame family runs there) and run by `ci/test.sh
# --all-test-gdb`. Needs `cmake --install` first (ci/test.sh does it).
if(NOT TARGET cpydbg_gdb)
  return()
endif()
find_program(CPYDBG_SYSTEM_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)

# PyFrameObject frames (3.8-3.10), 3.11-3.12's _PyInterpreterFrame, 3.13's.
set(_test_gdb_default 3.10.13 3.12.1 3.13.0)
foreach(version 3.8.18 3.9.18 3.10.13 3.11.7 3.12.1 3.13.0)
  set(name test_gdb_${version})
  add_test(NAME ${name}
    COMMAND ${CPYDBG_SYSTEM_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/test_gdb/compare.py
            --install ${CMAKE_INSTALL_PREFIX} --python ${version})
  set(labels "integration;gdb;test_gdb")
  if(NOT version IN_LIST _test_gdb_default)
    list(APPEND labels test_gdb_more)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${labels}" TIMEOUT 900)
endforeach()
