// Namespace identity is typed; its display string reads back to the same identity, and a
// /run/netns entry whose name looks like another kind's spelling can never be mistaken for it.
#include <gtest/gtest.h>

#include "model/netns_id.h"
#include "rules/netns_prefix.h"

namespace pktloss {
namespace {

TEST(NetnsId, DisplayAndParseRoundTrip) {
  const NetnsId ids[] = {NetnsId::host(),           NetnsId::named("plsrv"),
                         NetnsId::named("host"),    NetnsId::named("pid:12"),
                         NetnsId::named("netns:7"), NetnsId::named("netns/x"),
                         NetnsId::process(42),      NetnsId::unnamed(4026)};
  for (const auto& id : ids) {
    NetnsId back = NetnsId::parse(id.display());
    EXPECT_EQ(back.kind, id.kind) << id.display();
    EXPECT_EQ(back.name, id.name) << id.display();
    EXPECT_EQ(back.pid, id.pid) << id.display();
    if (id.kind == NetnsKind::unnamed) {
      EXPECT_EQ(back.inode, id.inode);
    }
  }
  EXPECT_EQ(NetnsId::named("host").display(), "netns/host");
  EXPECT_EQ(NetnsId::named("plsrv").display(), "plsrv");
  EXPECT_EQ(NetnsId::host().display(), "host");
  EXPECT_EQ(NetnsId::process(42).display(), "pid:42");
}

TEST(NetnsId, ANamespaceCalledHostIsEnteredNotTheHost) {
  EXPECT_EQ(command_in_netns("netns/host", {"ss", "-ltn"}), "ip netns exec host ss -ltn");
  EXPECT_EQ(command_in_netns("host", {"ss", "-ltn"}), "ss -ltn");
  EXPECT_EQ(command_in_netns("netns/pid:1", {"ss"}), "ip netns exec pid:1 ss");
}

TEST(NetnsId, HostileSpellingsParseToSomethingSafe) {
  EXPECT_EQ(NetnsId::parse("pid:").kind, NetnsKind::named);
  EXPECT_EQ(NetnsId::parse("pid:12x").kind, NetnsKind::named);
  EXPECT_EQ(NetnsId::parse("pid:-3").kind, NetnsKind::named);
  EXPECT_EQ(NetnsId::parse("netns:abc").kind, NetnsKind::named);
  // Named ones are always quoted in a fix: no byte of the name leaves its argument.
  EXPECT_EQ(command_in_netns("pid:12x", {"ss"}), "ip netns exec pid:12x ss");
  EXPECT_EQ(command_in_netns("a b$(x)", {"ss"}), "ip netns exec 'a b$(x)' ss");
}

}  // namespace
}  // namespace pktloss
