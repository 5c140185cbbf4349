# The libFuzzer targets (fuzz/*.cpp) are built by their own clang project (fuzz/CMakeLists.txt,
# driven by scripts/fuzz.sh). Here, in the normal build, the same entry points are compiled into
# fuzz_regressions, a test that feeds them every kept crash reproducer (fuzz/regressions/TARGET/)
# and every checked-in seed (fuzz/corpus/TARGET/): a fixed bug stays fixed under g++ too.
include(${CMAKE_SOURCE_DIR}/fuzz/fuzz_sources.cmake)
set(fuzz_regression_sources ${CMAKE_SOURCE_DIR}/fuzz/regressions_main.cpp)
foreach(t ${PKTLOSS_FUZZ_TARGETS})
  list(APPEND fuzz_regression_sources ${CMAKE_SOURCE_DIR}/fuzz/${t}.cpp)
endforeach()
add_executable(fuzz_regressions ${fuzz_regression_sources})
target_compile_definitions(fuzz_regressions PRIVATE PKTLOSS_FUZZ_REGISTRY)
target_include_directories(fuzz_regressions PRIVATE ${CMAKE_SOURCE_DIR})
target_link_libraries(fuzz_regressions PRIVATE pktloss_core PkgConfig::XTABLES)
add_test(NAME fuzz.regressions COMMAND fuzz_regressions ${CMAKE_SOURCE_DIR}/fuzz)
set_tests_properties(fuzz.regressions PROPERTIES LABELS unit TIMEOUT 120)
