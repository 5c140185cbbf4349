// The whole qdisc tree of every device in the calling thread's namespace (RTM_GETQDISC dump, read
// straight into the model by qdisc_parse).
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <string>
#include <unordered_map>

#include "collect/collectors.h"
#include "collect/qdisc_parse.h"
#include "collect/rtnl_request.h"

namespace pktloss {

void collect_qdiscs(NetnsSnapshot& ns) {
  std::string error;
  RtnlSocket sk;
  if (!sk.open(error)) {
    ns.notes.push_back("qdiscs: rtnetlink unavailable: " + error);
    return;
  }
  std::vector<Qdisc> found;
  auto on_qdisc = [&](const nlmsghdr* m) {
    if (auto q = qdisc_from_nlmsg(m)) found.push_back(std::move(*q));
  };
  if (!sk.dump(RTM_GETQDISC, sizeof(tcmsg), AF_UNSPEC, on_qdisc, error)) {
    ns.notes.push_back("qdiscs: dump failed: " + error);
    return;
  }
  // Every device has a root qdisc: an index keeps 10,000 devices linear.
  std::unordered_map<int, const std::string*> names;
  names.reserve(ns.links.size());
  for (const auto& l : ns.links) names.emplace(l.ifindex, &l.name);
  for (auto& q : found) {
    if (auto it = names.find(q.ifindex); it != names.end()) q.dev = *it->second;
    if (q.dev.empty()) q.dev = "if" + std::to_string(q.ifindex);
  }
  ns.qdiscs = std::move(found);
}

}  // namespace pktloss
