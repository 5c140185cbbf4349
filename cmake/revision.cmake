# The git revision baked into `pktloss --version`: `git describe --always --dirty` at configure
# time, or -DPKTLOSS_GIT_REVISION=... (packaging from a tarball), or "unknown".
if(NOT PKTLOSS_GIT_REVISION)
  find_package(Git QUIET)
  if(GIT_FOUND)
    execute_process(COMMAND ${GIT_EXECUTABLE} describe --always --dirty
      WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} OUTPUT_VARIABLE PKTLOSS_GIT_REVISION
      OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE git_rc)
    if(NOT git_rc EQUAL 0)
      set(PKTLOSS_GIT_REVISION "")
    endif()
  endif()
endif()
if(NOT PKTLOSS_GIT_REVISION)
  set(PKTLOSS_GIT_REVISION "unknown")
endif()
# A header only src/util/version.cpp includes: a new revision recompiles one file.
file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/generated/pktloss_revision.h
  CONTENT "#pragma once\n#define PKTLOSS_GIT_REVISION \"${PKTLOSS_GIT_REVISION}\"\n")
target_include_directories(pktloss_util PRIVATE ${CMAKE_BINARY_DIR}/generated)
