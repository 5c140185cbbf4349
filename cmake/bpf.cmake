# eBPF programs, built the libbpf way:
#   vmlinux.h   <- bpftool btf dump of the running kernel's BTF (/sys/kernel/btf/vmlinux)
#   X.bpf.o     <- clang -target bpf -g -O2 (CO-RE relocations make it portable across kernels)
#   X.skel.h    <- bpftool gen skeleton (the object is embedded in pktloss; nothing to install)
# The generated headers land in ${CMAKE_BINARY_DIR}/bpf, which pktloss_core gets as an include dir.
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /usr/local/sbin REQUIRED)
find_program(BPF_CLANG NAMES clang clang-14 REQUIRED)
set(PKTLOSS_VMLINUX_BTF "/sys/kernel/btf/vmlinux" CACHE FILEPATH "kernel BTF used for vmlinux.h")
if(NOT EXISTS "${PKTLOSS_VMLINUX_BTF}")
  message(FATAL_ERROR "pktloss: ${PKTLOSS_VMLINUX_BTF} missing; the kernel needs CONFIG_DEBUG_INFO_BTF")
endif()

set(PKTLOSS_BPF_OUT "${CMAKE_BINARY_DIR}/bpf")
file(MAKE_DIRECTORY "${PKTLOSS_BPF_OUT}")

add_custom_command(
  OUTPUT "${PKTLOSS_BPF_OUT}/vmlinux.h"
  COMMAND "${BPFTOOL}" btf dump file "${PKTLOSS_VMLINUX_BTF}" format c > "${PKTLOSS_BPF_OUT}/vmlinux.h.tmp"
  COMMAND ${CMAKE_COMMAND} -E rename "${PKTLOSS_BPF_OUT}/vmlinux.h.tmp" "${PKTLOSS_BPF_OUT}/vmlinux.h"
  COMMENT "bpftool: vmlinux.h from ${PKTLOSS_VMLINUX_BTF}"
  VERBATIM)

if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  set(PKTLOSS_BPF_ARCH x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
  set(PKTLOSS_BPF_ARCH arm64)
else()
  set(PKTLOSS_BPF_ARCH ${CMAKE_SYSTEM_PROCESSOR})
endif()

file(GLOB PKTLOSS_BPF_SOURCES CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/src/trace/bpf/*.bpf.c")
file(GLOB PKTLOSS_BPF_HEADERS CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/src/trace/bpf/*.h")
set(PKTLOSS_BPF_SKELETONS)
foreach(bpf_src ${PKTLOSS_BPF_SOURCES})
  get_filename_component(bpf_name "${bpf_src}" NAME)
  string(REGEX REPLACE "\\.bpf\\.c$" "" bpf_name "${bpf_name}")
  set(bpf_obj "${PKTLOSS_BPF_OUT}/${bpf_name}.bpf.o")
  set(bpf_skel "${PKTLOSS_BPF_OUT}/${bpf_name}.skel.h")
  add_custom_command(
    OUTPUT "${bpf_obj}"
    COMMAND "${BPF_CLANG}" -target bpf -g -O2 -Wall -Werror -D__TARGET_ARCH_${PKTLOSS_BPF_ARCH}
            -I "${PKTLOSS_BPF_OUT}" -I "${CMAKE_SOURCE_DIR}/src/trace/bpf"
            -c "${bpf_src}" -o "${bpf_obj}"
    DEPENDS "${bpf_src}" ${PKTLOSS_BPF_HEADERS} "${PKTLOSS_BPF_OUT}/vmlinux.h"
    COMMENT "clang -target bpf: ${bpf_name}.bpf.c"
    VERBATIM)
  add_custom_command(
    OUTPUT "${bpf_skel}"
    COMMAND "${BPFTOOL}" gen skeleton "${bpf_obj}" name "${bpf_name}_bpf" > "${bpf_skel}.tmp"
    COMMAND ${CMAKE_COMMAND} -E rename "${bpf_skel}.tmp" "${bpf_skel}"
    DEPENDS "${bpf_obj}"
    COMMENT "bpftool gen skeleton: ${bpf_name}.skel.h"
    VERBATIM)
  list(APPEND PKTLOSS_BPF_SKELETONS "${bpf_skel}")
endforeach()

add_custom_target(pktloss_bpf_skeletons DEPENDS ${PKTLOSS_BPF_SKELETONS})

add_dependencies(pktloss_trace pktloss_bpf_skeletons)
target_include_directories(pktloss_trace PRIVATE "${PKTLOSS_BPF_OUT}")
