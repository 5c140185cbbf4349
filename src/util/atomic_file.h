#pragma once
// Writes a whole file so that a reader sees the old content or the new, never a torn one:
// node_exporter's textfile collector reads *.prom files at any moment, and a half-written file
// would be scraped as a parse error (and lose every pktloss series on that node until the next
// write).
#include <string>
#include <string_view>

namespace pktloss {

// A temporary file beside `path` (same file system, so rename is atomic), mode 0644, synced,
// then renamed over `path`. Throws std::runtime_error with the path and the reason.
void write_file_atomically(const std::string& path, std::string_view content);

}  // namespace pktloss
