# libFuzzer targets for the parsers of untrusted bytes (packets, capture files). The main build
# uses g++; these are built with clang++ -fsanitize=fuzzer,address,undefined by a custom target
# (not part of `all`), only when clang++ is installed. scripts/fuzz.sh builds and runs them.
find_program(PKTLOSS_CLANGXX NAMES clang++ clang++-14)
if(NOT PKTLOSS_CLANGXX)
  message(STATUS "clang++ not found: fuzz targets unavailable")
  return()
endif()

set(PKTLOSS_FUZZ_CORE
  ${CMAKE_SOURCE_DIR}/src/capture/packet_parser.cpp
  ${CMAKE_SOURCE_DIR}/src/capture/flow_analyser.cpp)
set(PKTLOSS_FUZZ_FLAGS -std=c++20 -O1 -g -fno-omit-frame-pointer
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
  -I${CMAKE_SOURCE_DIR}/src)

add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/fuzz_packet_parser
  COMMAND ${PKTLOSS_CLANGXX} ${PKTLOSS_FUZZ_FLAGS}
          ${CMAKE_SOURCE_DIR}/fuzz/fuzz_packet_parser.cpp ${PKTLOSS_FUZZ_CORE}
          -lfmt -o ${CMAKE_BINARY_DIR}/fuzz_packet_parser
  DEPENDS ${CMAKE_SOURCE_DIR}/fuzz/fuzz_packet_parser.cpp ${PKTLOSS_FUZZ_CORE}
  COMMENT "clang++ libFuzzer: fuzz_packet_parser")
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/fuzz_pcap_file
  COMMAND ${PKTLOSS_CLANGXX} ${PKTLOSS_FUZZ_FLAGS}
          ${CMAKE_SOURCE_DIR}/fuzz/fuzz_pcap_file.cpp ${PKTLOSS_FUZZ_CORE}
          ${CMAKE_SOURCE_DIR}/src/capture/capture_reader.cpp
          -lfmt -lz -lzstd -o ${CMAKE_BINARY_DIR}/fuzz_pcap_file
  DEPENDS ${CMAKE_SOURCE_DIR}/fuzz/fuzz_pcap_file.cpp ${PKTLOSS_FUZZ_CORE}
          ${CMAKE_SOURCE_DIR}/src/capture/capture_reader.cpp
  COMMENT "clang++ libFuzzer: fuzz_pcap_file")
add_custom_target(fuzz_targets
  DEPENDS ${CMAKE_BINARY_DIR}/fuzz_packet_parser ${CMAKE_BINARY_DIR}/fuzz_pcap_file)
