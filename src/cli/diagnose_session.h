#pragma once
// One diagnosis: snapshot every observed namespace, run the probes (with the eBPF tracer and the
// packet capture around them when asked), snapshot again, evaluate.
#include <string>
#include <vector>

#include "model/report.h"
#include "netns/netns.h"

namespace pktloss {

struct DiagnoseOptions {
  std::string target;  // HOST[:PORT]
  std::vector<std::string> observe;
  int count = 20;
  int interval_ms = 20;
  std::string sizes = "auto";
  std::string http_path = "/";
  bool trace = false;
  bool capture = false;
  std::string html_file;
  bool progress = false;  // a progress line on stderr (a terminal, not --json)
};

Report diagnose(const NetnsTarget& probing, const std::vector<NetnsTarget>& observed,
                const DiagnoseOptions& opts);

}  // namespace pktloss
