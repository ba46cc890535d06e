# The gdb bridge against every pyenv interpreter: live and from a gcore'd
# core, with DWARF and with stripped copies. Needs `cmake --install` first
# (ci/test.sh does it); ground truth comes from the scenario itself.
foreach(version 2.7.18 3.6.15 3.7.16 3.8.18 3.9.18 3.10.13 3.11.7 3.12.1 3.13.0)
  foreach(variant dwarf stripped)
    set(extra "")
    if(variant STREQUAL "stripped")
      set(extra "--stripped")
    endif()
    add_test(NAME gdb_bridge_${variant}_py${version}
      COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/integration/gdb_matrix.py
              ${CMAKE_INSTALL_PREFIX} /root/.pyenv/versions/${version} ${extra})
    set_tests_properties(gdb_bridge_${variant}_py${version} PROPERTIES LABELS "integration;gdb" TIMEOUT 300)
  endforeach()
endforeach()
