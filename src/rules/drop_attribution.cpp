#include "rules/drop_attribution.h"

#include <algorithm>

#include "rules/drop_classifier.h"

namespace pktloss {

std::vector<DropEventRow> attribute_drops(std::vector<DropEventRow> rows,
                                          const DropAttributionOptions& options) {
  std::vector<DropEventRow> out;
  out.reserve(rows.size());
  for (auto& r : rows) {
    DropClass c = classify_drop(r.reason, r.function, r.proto);
    if (c.benign && !options.include_benign) continue;
    r.layer = std::move(c.layer);
    r.finding_id = std::move(c.finding_id);
    r.explanation = std::move(c.explanation);
    if (c.at_peer && r.peer) {
      const std::string from = r.dev.empty() ? "ifindex " + std::to_string(r.ifindex) : r.dev;
      r.explanation += "; sent by " + from + " in " + r.netns;
      r.netns_inode = r.peer->netns_inode;
      r.netns = r.peer->netns;
      r.ifindex = r.peer->ifindex;
      r.dev = r.peer->dev;
    }
    r.peer.reset();
    if (!options.netns_inodes.empty() &&
        std::find(options.netns_inodes.begin(), options.netns_inodes.end(), r.netns_inode) ==
            options.netns_inodes.end())
      continue;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace pktloss
