#pragma once
#include <string>

namespace pktloss {

// "0.1.0"
const char* version_number();
// `git describe --always --dirty` at configure time, "unknown" outside git.
const char* git_revision();
// What `pktloss --version` prints: version, revision, kernel, the features probed now.
std::string version_text();

}  // namespace pktloss
