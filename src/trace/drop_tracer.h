#pragma once
// Kernel drop events by reason, location and flow: an eBPF program on the kfree_skb tracepoint
// (tp_btf, else the classic tracepoint) counts drops in the kernel; user space reads the
// aggregate and names it (drop reasons from BTF, locations from /proc/kallsyms, namespaces and
// devices from /run/netns and rtnetlink).
//
// Usable from any thread and without entering a namespace: filtering is by netns inode.
// Never throws for a missing feature: start() returns false and unavailable_reason() says why
// (no BTF, no CAP_BPF, lockdown, ...), so callers add a note and go on.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "model/observations.h"

namespace pktloss {

struct TraceFilters {
  std::vector<uint64_t> netns_inodes;  // empty: every namespace
  // Names the caller knows namespaces by (e.g. "pid:1234" for -p), so rows match its findings;
  // others are named by netns_name_for_inode().
  std::map<uint64_t, std::string> netns_names;
  std::string host;             // IPv4 or IPv6 literal; packets from or to it
  uint16_t port = 0;            // tcp/udp source or destination port
  std::string proto;            // "tcp", "udp", "icmp", "icmp6" or ""
  bool flows = false;           // one row per 5-tuple
  bool include_benign = false;  // also rows for normal frees (socket close, AF_UNIX...)
  bool examples = true;         // one example flow per row (ring buffer, rate-limited)
};

class DropTracer {
 public:
  DropTracer();
  ~DropTracer();
  DropTracer(const DropTracer&) = delete;
  DropTracer& operator=(const DropTracer&) = delete;

  // Loads and attaches. Returns false (and sets unavailable_reason) when tracing is impossible;
  // throws std::invalid_argument only for bad filters (e.g. an unparsable --host).
  bool start(const TraceFilters& filters);
  bool available() const;
  std::string unavailable_reason() const;

  // Totals since start(), sorted by packets (largest first). Safe to call while running.
  // Facts only: rows of every traced namespace (the requested ones and their veth peers'),
  // benign frees included only with include_benign (the kernel side skips the reasons that are
  // benign wherever they happen); rules/drop_attribution.h classifies, re-homes and scopes them.
  std::vector<DropEventRow> rows();
  // Detaches and returns the final rows.
  std::vector<DropEventRow> stop();

  TraceStats stats() const;
  // One-line notes about degraded parts (no kallsyms, no reason names, lost events).
  std::vector<std::string> notes() const;

 private:
  struct Impl;
  mutable std::mutex mu_;
  std::unique_ptr<Impl> impl_;
};

// Short protocol name for an IPPROTO_* value ("tcp", "udp", "icmp", "icmp6", else the number).
std::string ip_proto_name(int l3proto, int l4proto);

}  // namespace pktloss
