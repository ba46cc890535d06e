# Hostile input: seed snapshots of real stopped interpreters (tests/fuzz/
# snapshots, made by cpydbg-snapshot), a fake Target serving them, the
# corpus and every crash the fuzzer found, replayed by the unit binary; and,
# in a clang build with -DCPYDBG_FUZZ=ON, the libFuzzer harness run for a
# fixed time as a test.
find_package(ZLIB REQUIRED)
set(_fuzz ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)

target_sources(cpydbg_unit PRIVATE ${_fuzz}/snapshot.cpp ${_fuzz}/hostile_input.cpp)
target_include_directories(cpydbg_unit PRIVATE ${_fuzz})
target_link_libraries(cpydbg_unit PRIVATE ZLIB::ZLIB)

# Re-records a seed: cpydbg-snapshot PYTHON OUT.snap.gz (see tests/fuzz/README.md).
add_executable(cpydbg_snapshot ${_fuzz}/record_snapshot.cpp ${_fuzz}/snapshot.cpp ${_fuzz}/hostile_input.cpp
               ${CMAKE_CURRENT_SOURCE_DIR}/unit/stopped_python.cpp)
target_include_directories(cpydbg_snapshot PRIVATE ${_fuzz} ${CMAKE_CURRENT_SOURCE_DIR}/unit
                           ${PROJECT_SOURCE_DIR}/core/src)
target_link_libraries(cpydbg_snapshot PRIVATE cpydbg_core ZLIB::ZLIB)
target_compile_definitions(cpydbg_snapshot PRIVATE CPYDBG_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                           CPYDBG_PYENV_ROOT="${CPYDBG_PYENV_ROOT}")

option(CPYDBG_FUZZ "Build the libFuzzer harness (clang only) and run it as a test" OFF)
set(CPYDBG_FUZZ_SECONDS 45 CACHE STRING "How long the fuzz test runs")
if(CPYDBG_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "CPYDBG_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++")
  endif()
  # The core is compiled again here with coverage instrumentation, so the
  # debugger front ends of this build stay loadable without libFuzzer.
  get_target_property(_core_sources cpydbg_core SOURCES)
  add_executable(cpydbg_fuzz ${_core_sources} ${_fuzz}/fuzz_main.cpp ${_fuzz}/snapshot.cpp
                 ${_fuzz}/hostile_input.cpp)
  target_include_directories(cpydbg_fuzz PRIVATE ${PROJECT_SOURCE_DIR}/core/include
                             ${PROJECT_SOURCE_DIR}/core/src ${PROJECT_SOURCE_DIR}/agent ${_fuzz})
  target_link_libraries(cpydbg_fuzz PRIVATE nlohmann_json::nlohmann_json ZLIB::ZLIB)
  target_compile_definitions(cpydbg_fuzz PRIVATE CPYDBG_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  target_compile_options(cpydbg_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(cpydbg_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
  add_dependencies(cpydbg_fuzz cpydbg_tables)  # its builtin_tables.cpp includes them

  # New inputs go to a scratch copy of the corpus; crashes to fuzz-crashes/
  # (copy them into tests/fuzz/crashes/ to keep them as regression cases).
  set(_work ${CMAKE_CURRENT_BINARY_DIR}/fuzz-work)
  add_test(NAME fuzz_hostile_snapshots
    COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1
            $<TARGET_FILE:cpydbg_fuzz> -max_total_time=${CPYDBG_FUZZ_SECONDS} -timeout=20
            -len_control=0 -max_len=400 -rss_limit_mb=3072 -print_final_stats=1
            -artifact_prefix=${CMAKE_CURRENT_BINARY_DIR}/fuzz-crashes/
            ${_work} ${_fuzz}/corpus ${_fuzz}/crashes)
  set_tests_properties(fuzz_hostile_snapshots PROPERTIES LABELS fuzz
    TIMEOUT 600 FIXTURES_REQUIRED fuzz_dirs)
  add_test(NAME fuzz_hostile_snapshots_setup
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_work} ${CMAKE_CURRENT_BINARY_DIR}/fuzz-crashes)
  set_tests_properties(fuzz_hostile_snapshots_setup PROPERTIES FIXTURES_SETUP fuzz_dirs)
endif()
