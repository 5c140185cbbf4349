// The whole qdisc tree of every device in the calling thread's namespace (RTM_GETQDISC dump).
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <string>

#include "collect/collectors.h"
#include "collect/nl_util.h"
#include "collect/qdisc_parse.h"

namespace pktloss {

void collect_qdiscs(NetnsSnapshot& ns) {
  std::string error;
  NlSocket sk;
  if (!sk.connect(NETLINK_ROUTE, error)) {
    ns.notes.push_back("qdiscs: rtnetlink unavailable: " + error);
    return;
  }
  std::vector<Qdisc> found;
  auto valid = [](nl_msg* m, void* arg) -> int {
    if (auto q = qdisc_from_nlmsg(m)) static_cast<std::vector<Qdisc>*>(arg)->push_back(*q);
    return NL_OK;
  };
  nl_socket_modify_cb(sk.get(), NL_CB_VALID, NL_CB_CUSTOM, valid, &found);
  tcmsg tcm{};
  tcm.tcm_family = AF_UNSPEC;
  int err = nl_send_simple(sk.get(), RTM_GETQDISC, NLM_F_DUMP, &tcm, sizeof tcm);
  if (err >= 0) err = nl_recvmsgs_default(sk.get());
  if (err < 0) {
    ns.notes.push_back(std::string("qdiscs: dump failed: ") + nl_geterror(err));
    return;
  }
  for (auto& q : found) {
    for (const auto& l : ns.links)
      if (l.ifindex == q.ifindex) q.dev = l.name;
    if (q.dev.empty()) q.dev = "if" + std::to_string(q.ifindex);
  }
  ns.qdiscs = std::move(found);
}

}  // namespace pktloss
