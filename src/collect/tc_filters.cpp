// Every tc filter and its actions in the calling thread's namespace: one RTM_GETTFILTER dump per
// hook that can hold filters (the ingress/clsact hooks, classful qdiscs), found from the qdiscs
// already collected, so a host of 10,000 veths with plain qdiscs costs no extra request.
#include <libmnl/libmnl.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include <set>
#include <string>
#include <unordered_map>

#include "collect/collectors.h"
#include "collect/rtnl_request.h"
#include "collect/tc_filter_parse.h"

namespace pktloss {
namespace {

constexpr uint32_t kIngressHook = 0xFFFFFFF2;  // TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)
constexpr uint32_t kEgressHook = 0xFFFFFFF3;   // TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS)

bool classful(const std::string& kind) {
  static const std::set<std::string> kinds = {"htb", "prio", "hfsc",   "drr",    "qfq",
                                              "cbq", "ets",  "dsmark", "multiq", "atm"};
  return kinds.count(kind) > 0;
}

}  // namespace

void collect_tc_filters(NetnsSnapshot& ns) {
  std::vector<std::pair<int, uint32_t>> hooks;  // (ifindex, parent)
  for (const auto& q : ns.qdiscs) {
    if (q.kind == "clsact") {
      hooks.emplace_back(q.ifindex, kIngressHook);
      hooks.emplace_back(q.ifindex, kEgressHook);
    } else if (q.kind == "ingress") {
      hooks.emplace_back(q.ifindex, kIngressHook);
    } else if (classful(q.kind)) {
      hooks.emplace_back(q.ifindex, q.handle);
    }
  }
  if (hooks.empty()) return;
  std::string error;
  RtnlSocket sk;
  if (!sk.open(error)) {
    ns.notes.push_back("tc filters: rtnetlink unavailable: " + error);
    return;
  }
  std::unordered_map<int, const std::string*> names;
  for (const auto& l : ns.links) names.emplace(l.ifindex, &l.name);
  for (const auto& [ifindex, parent] : hooks) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_GETTFILTER;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    auto* t = static_cast<tcmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(tcmsg)));
    t->tcm_family = AF_UNSPEC;
    t->tcm_ifindex = ifindex;
    t->tcm_parent = parent;
    auto on_filter = [&](const nlmsghdr* m) {
      auto f = tc_filter_from_nlmsg(m);
      if (!f) return;
      if (auto it = names.find(f->ifindex); it != names.end()) f->dev = *it->second;
      if (f->dev.empty()) f->dev = "if" + std::to_string(f->ifindex);
      ns.tc_filters.push_back(std::move(*f));
    };
    // A device that vanished between the two dumps answers ENODEV: not worth a note.
    if (!sk.request(nlh, on_filter, error) && error.find("No such device") == std::string::npos)
      ns.notes.push_back("tc filters: dump failed: " + error);
  }
}

}  // namespace pktloss
