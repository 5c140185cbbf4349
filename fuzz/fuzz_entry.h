#pragma once
// One entry point per fuzz target, built two ways from the same source:
//  - with clang -fsanitize=fuzzer (PKTLOSS_FUZZ build, scripts/fuzz.sh): LLVMFuzzerTestOneInput
//    (and LLVMFuzzerInitialize), one executable per target;
//  - in the normal build (PKTLOSS_FUZZ_REGISTRY): a named function registered in a table, so
//    fuzz_regressions (a ctest) feeds every kept reproducer and seed through exactly the code
//    the fuzzer ran, with the normal compiler and flags.
// Usage: PKTLOSS_FUZZ_TARGET(fuzz_name) { ...uses data, size...; return 0; }
//        PKTLOSS_FUZZ_INIT(fuzz_name) { ...once per process...; }  (optional)
#include <cstddef>
#include <cstdint>

#ifdef PKTLOSS_FUZZ_REGISTRY
namespace pktloss::fuzz {
using OneInput = int (*)(const uint8_t* data, size_t size);
using Init = void (*)();
bool register_target(const char* name, OneInput one);
bool register_init(const char* name, Init init);
}  // namespace pktloss::fuzz

#define PKTLOSS_FUZZ_TARGET(name)                          \
  static int name##_one(const uint8_t* data, size_t size); \
  [[maybe_unused]] static const bool name##_registered =   \
      pktloss::fuzz::register_target(#name, name##_one);   \
  static int name##_one([[maybe_unused]] const uint8_t* data, [[maybe_unused]] size_t size)
#define PKTLOSS_FUZZ_INIT(name)                               \
  static void name##_init();                                  \
  [[maybe_unused]] static const bool name##_init_registered = \
      pktloss::fuzz::register_init(#name, name##_init);       \
  static void name##_init()
#else
#define PKTLOSS_FUZZ_TARGET(name) \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
#define PKTLOSS_FUZZ_INIT(name)                        \
  static void name##_init();                           \
  extern "C" int LLVMFuzzerInitialize(int*, char***) { \
    name##_init();                                     \
    return 0;                                          \
  }                                                    \
  static void name##_init()
#endif
