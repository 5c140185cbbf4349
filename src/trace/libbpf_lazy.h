#pragma once
// libbpf is loaded on first use (dlopen), not at process start: only `trace` and `check -i` /
// `diagnose` with the tracer need it, and mapping libbpf + libelf + libz cost every other command
// ~0.5 ms of CPU at start-up (bench/snapshot.sh, start-up section).
#include <string>

namespace pktloss {

// Loads libbpf.so.1 once; false with a one-line `why` when it cannot (the tracer is then
// unavailable, every libbpf call fails with -ENOSYS / nullptr instead of crashing).
bool libbpf_loaded(std::string& why);

}  // namespace pktloss
