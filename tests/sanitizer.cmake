# The sanitizer build's helper for hosting it in gdb and lldb: see
# tests/sanitizer/asan_first.c. ci/test.sh --sanitize preloads it after the
# ASan runtime.
if(CPYDBG_SANITIZE)
  add_library(cpydbg_asan_first MODULE ${CMAKE_CURRENT_SOURCE_DIR}/sanitizer/asan_first.c)
  target_compile_options(cpydbg_asan_first PRIVATE -fno-sanitize=all)
  set_target_properties(cpydbg_asan_first PROPERTIES PREFIX "" LINK_OPTIONS -fno-sanitize=all)
endif()
