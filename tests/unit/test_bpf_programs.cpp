// XDP attachments from IFLA_XDP (hand-built RTM_NEWLINK messages through link_from_nlmsg, the
// links collector's parser), program facts from bpf_prog_info, and the report's bpf_programs.
#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <cstring>

#include "collect/link_parse.h"
#include "model/json.h"
#include "rules/bpf_program_summary.h"
#include "trace/bpf_programs.h"

using namespace pktloss;

namespace {

struct Msg {
  alignas(nlmsghdr) char buf[4096] = {};
  nlmsghdr* nlh;
  Msg() {
    nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_NEWLINK;
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifi->ifi_index = 2;
    mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
  }
};

}  // namespace

TEST(XdpParse, NoNestOrAttachedNoneIsNoProgram) {
  Msg a;
  EXPECT_TRUE(link_from_nlmsg(a.nlh)->xdp.empty());
  Msg b;
  nlattr* x = mnl_attr_nest_start(b.nlh, IFLA_XDP);
  mnl_attr_put_u8(b.nlh, IFLA_XDP_ATTACHED, XDP_ATTACHED_NONE);
  mnl_attr_nest_end(b.nlh, x);
  auto l = link_from_nlmsg(b.nlh);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->name, "eth0");
  EXPECT_TRUE(l->xdp.empty());
}

TEST(XdpParse, OneModeTakesItsIdFromProgId) {
  for (auto [attached, mode] :
       {std::pair{XDP_ATTACHED_DRV, "drv"}, std::pair{XDP_ATTACHED_SKB, "skb"},
        std::pair{XDP_ATTACHED_HW, "hw"}}) {
    Msg m;
    nlattr* x = mnl_attr_nest_start(m.nlh, IFLA_XDP);
    mnl_attr_put_u8(m.nlh, IFLA_XDP_ATTACHED, attached);
    mnl_attr_put_u32(m.nlh, IFLA_XDP_PROG_ID, 42);
    mnl_attr_nest_end(m.nlh, x);
    auto l = link_from_nlmsg(m.nlh);
    ASSERT_TRUE(l);
    ASSERT_EQ(l->xdp.size(), 1u) << mode;
    EXPECT_EQ(l->xdp[0].mode, mode);
    EXPECT_EQ(l->xdp[0].prog_id, 42u);
  }
}

TEST(XdpParse, MultiListsEveryModeWithItsOwnId) {
  Msg m;
  nlattr* x = mnl_attr_nest_start(m.nlh, IFLA_XDP);
  mnl_attr_put_u8(m.nlh, IFLA_XDP_ATTACHED, XDP_ATTACHED_MULTI);
  mnl_attr_put_u32(m.nlh, IFLA_XDP_SKB_PROG_ID, 8);
  mnl_attr_put_u32(m.nlh, IFLA_XDP_DRV_PROG_ID, 7);
  mnl_attr_nest_end(m.nlh, x);
  auto l = link_from_nlmsg(m.nlh);
  ASSERT_TRUE(l);
  ASSERT_EQ(l->xdp.size(), 2u);
  EXPECT_EQ(l->xdp[0].mode, "drv");
  EXPECT_EQ(l->xdp[0].prog_id, 7u);
  EXPECT_EQ(l->xdp[1].mode, "skb");
  EXPECT_EQ(l->xdp[1].prog_id, 8u);
}

TEST(XdpParse, MalformedAttributesAreIgnoredNotReadBeyond) {
  {  // ATTACHED two bytes long, id one byte long: neither is read
    Msg m;
    nlattr* x = mnl_attr_nest_start(m.nlh, IFLA_XDP);
    uint16_t wide = XDP_ATTACHED_DRV;
    mnl_attr_put(m.nlh, IFLA_XDP_ATTACHED, sizeof wide, &wide);
    mnl_attr_nest_end(m.nlh, x);
    EXPECT_TRUE(link_from_nlmsg(m.nlh)->xdp.empty());
  }
  {
    Msg m;
    nlattr* x = mnl_attr_nest_start(m.nlh, IFLA_XDP);
    mnl_attr_put_u8(m.nlh, IFLA_XDP_ATTACHED, XDP_ATTACHED_DRV);
    mnl_attr_put_u8(m.nlh, IFLA_XDP_PROG_ID, 5);
    mnl_attr_nest_end(m.nlh, x);
    EXPECT_TRUE(link_from_nlmsg(m.nlh)->xdp.empty());
  }
  {  // a nest whose length runs past the message: the message stays bounded
    Msg m;
    nlattr* x = mnl_attr_nest_start(m.nlh, IFLA_XDP);
    mnl_attr_put_u8(m.nlh, IFLA_XDP_ATTACHED, XDP_ATTACHED_DRV);
    mnl_attr_put_u32(m.nlh, IFLA_XDP_PROG_ID, 5);
    mnl_attr_nest_end(m.nlh, x);
    x->nla_len = 4000;
    auto l = link_from_bytes(m.buf, m.nlh->nlmsg_len);
    ASSERT_TRUE(l);
    EXPECT_TRUE(l->xdp.empty());
  }
}

TEST(BpfProgramInfo, NameTagTypeAndRunCounts) {
  bpf_prog_info info = {};
  std::memcpy(info.name, "xdp_drop_all", 12);
  const unsigned char tag[8] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
  std::memcpy(info.tag, tag, 8);
  info.type = BPF_PROG_TYPE_XDP;
  info.run_cnt = 12;
  info.run_time_ns = 3400;
  BpfProgram p = bpf_program_from_info(77, info, "xdp");
  EXPECT_EQ(p.id, 77u);
  EXPECT_TRUE(p.info_read);
  EXPECT_EQ(p.name, "xdp_drop_all");
  EXPECT_EQ(p.type, "xdp");
  EXPECT_EQ(p.tag, "0123456789abcdef");
  EXPECT_EQ(p.run_cnt, 12u);
  EXPECT_EQ(p.run_time_ns, 3400u);
  // A name filling all 16 bytes without a NUL stays inside them; an unknown type is its number.
  std::memset(info.name, 'a', sizeof info.name);
  info.type = 999;
  p = bpf_program_from_info(1, info, nullptr);
  EXPECT_EQ(p.name, std::string(16, 'a'));
  EXPECT_EQ(p.type, "999");
}

TEST(BpfProgramInfo, StatsSysctlText) {
  EXPECT_TRUE(bpf_stats_enabled_from_text("1\n"));
  EXPECT_TRUE(bpf_stats_enabled_from_text("1"));
  EXPECT_FALSE(bpf_stats_enabled_from_text("0\n"));
  EXPECT_FALSE(bpf_stats_enabled_from_text(""));
  EXPECT_FALSE(bpf_stats_enabled_from_text("12\n"));
}

TEST(BpfProgramsNoProgram, CollectorReadsNothingWithoutIds) {
  std::vector<NetnsSnapshot> nss(1);
  nss[0].links.push_back(Link{});
  collect_bpf_programs(nss);
  EXPECT_TRUE(nss[0].bpf_programs.empty());
  EXPECT_TRUE(nss[0].notes.empty());
}

namespace {

NetnsSnapshot ns_with_program(uint64_t runs, bool stats) {
  NetnsSnapshot ns;
  ns.name = "srv";
  ns.inode = 9;
  Link l;
  l.ifindex = 2;
  l.name = "eth0";
  l.xdp.push_back({"drv", 42});
  ns.links.push_back(l);
  TcFilter f;
  f.dev = "eth0";
  f.parent = 0xFFFFFFF2u;
  f.kind = "bpf";
  f.bpf_id = 43;
  f.bpf_direct_action = true;
  ns.tc_filters.push_back(f);
  BpfProgram p;
  p.id = 42;
  p.info_read = true;
  p.name = "xdp_drop";
  p.type = "xdp";
  p.tag = "0123456789abcdef";
  p.run_cnt = runs;
  ns.bpf_programs.push_back(p);
  BpfProgram unread;
  unread.id = 43;
  ns.bpf_programs.push_back(unread);
  ns.bpf_stats_enabled = stats;
  return ns;
}

}  // namespace

TEST(BpfProgramSummary, EveryProgramWithItsHookModeAndRunsInTheWindow) {
  Snapshot before, after;
  before.namespaces.push_back(ns_with_program(100, true));
  after.namespaces.push_back(ns_with_program(250, true));
  Report r;
  summarise_bpf_programs(&before, after, r);
  ASSERT_EQ(r.bpf_programs.size(), 2u);
  const AttachedProgram& x = r.bpf_programs[0];
  EXPECT_EQ(x.netns, "srv");
  EXPECT_EQ(x.dev, "eth0");
  EXPECT_EQ(x.hook, "xdp");
  EXPECT_EQ(x.mode, "drv");
  EXPECT_EQ(x.id, 42u);
  EXPECT_EQ(x.name, "xdp_drop");
  EXPECT_EQ(x.run_cnt, 250u);
  EXPECT_EQ(x.run_cnt_delta, std::optional<uint64_t>(150));
  const AttachedProgram& t = r.bpf_programs[1];
  EXPECT_EQ(t.hook, "tc ingress");
  EXPECT_EQ(t.mode, "direct-action");
  EXPECT_EQ(t.id, 43u);
  EXPECT_FALSE(t.info_read);
  EXPECT_FALSE(t.run_cnt_delta);
  // The JSON lists them under "bpf_programs" and reads them back.
  json j = r;
  ASSERT_TRUE(j.contains("bpf_programs"));
  EXPECT_EQ(j["bpf_programs"][0]["mode"], "drv");
  EXPECT_EQ(j["bpf_programs"][0]["run_cnt_delta"], 150);
  Report back = j.get<Report>();
  ASSERT_EQ(back.bpf_programs.size(), 2u);
  EXPECT_EQ(back.bpf_programs[0].run_cnt_delta, std::optional<uint64_t>(150));
}

TEST(BpfProgramSummary, NoRunDeltaWithoutStatsOrOneSnapshot) {
  Snapshot before, after;
  before.namespaces.push_back(ns_with_program(0, false));
  after.namespaces.push_back(ns_with_program(0, false));
  Report r;
  summarise_bpf_programs(&before, after, r);
  ASSERT_FALSE(r.bpf_programs.empty());
  EXPECT_FALSE(r.bpf_programs[0].run_cnt_delta);
  EXPECT_FALSE(r.bpf_programs[0].stats_enabled);
  Report one;
  after.namespaces[0].bpf_stats_enabled = true;
  summarise_bpf_programs(nullptr, after, one);
  EXPECT_FALSE(one.bpf_programs[0].run_cnt_delta);
}

TEST(BpfProgramSummary, SnapshotJsonKeepsXdpAndPrograms) {
  Snapshot s;
  s.namespaces.push_back(ns_with_program(5, true));
  json j = s;
  Snapshot back = j.get<Snapshot>();
  const auto& ns = back.namespaces.at(0);
  ASSERT_EQ(ns.links.at(0).xdp.size(), 1u);
  EXPECT_EQ(ns.links[0].xdp[0].mode, "drv");
  EXPECT_EQ(ns.links[0].xdp[0].prog_id, 42u);
  ASSERT_EQ(ns.bpf_programs.size(), 2u);
  EXPECT_EQ(ns.bpf_programs[0].name, "xdp_drop");
  EXPECT_TRUE(ns.bpf_stats_enabled);
}
