#pragma once
// Bounded reads of /proc and /proc/sys text. procfs reports size 0, so files are read until EOF
// with a cap: a runaway or hostile file can never make a collector allocate without bound.
#include <cstddef>
#include <optional>
#include <string>

namespace pktloss {

// Whole file (at most max_bytes; more is cut and `truncated` set). nullopt with `error` set to a
// one-line reason ("No such file or directory") when it cannot be opened or read.
std::optional<std::string> read_proc_file(const std::string& path, std::string* error = nullptr,
                                          bool* truncated = nullptr,
                                          size_t max_bytes = size_t{4} << 20);

}  // namespace pktloss
