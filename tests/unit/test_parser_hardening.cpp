// The pure parsers split out of I/O code so they can be fuzzed (fuzz/), and the inputs that made
// them fail: each case here is a bug a fuzz target or a sanitizer found, or the split's contract.
#include <gtest/gtest.h>
#include <linux/netconf.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "collect/netconf.h"
#include "firewall/xt_save.h"
#include "probe/http_response.h"
#include "trace/drop_reasons.h"

using namespace pktloss;

namespace {

HttpResponse parse_in_chunks(const std::string& s, size_t chunk, bool eof = true) {
  HttpResponseParser p;
  for (size_t off = 0; off < s.size() && !p.done(); off += chunk)
    p.feed(s.data() + off, std::min(chunk, s.size() - off));
  if (eof) p.eof();
  return p.response();
}

}  // namespace

TEST(ParserHardening, HttpResponseSplitAnywhereGivesTheSameAnswer) {
  std::string r = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 5\r\n\r\nhello";
  for (size_t chunk : {1, 2, 7, 16, 1000}) {
    HttpResponse a = parse_in_chunks(r, chunk, false);
    EXPECT_EQ(a.status, 200) << chunk;
    EXPECT_TRUE(a.complete) << chunk;
    EXPECT_EQ(a.body_bytes, 5u) << chunk;
  }
}

TEST(ParserHardening, HttpResponseLengthOutOfRangeIsReadUntilEof) {
  // atoll on this was undefined behaviour; now it is "no usable length".
  HttpResponse a =
      parse_in_chunks("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\nabc", 64);
  EXPECT_EQ(a.status, 200);
  EXPECT_TRUE(a.complete);
  EXPECT_EQ(a.body_bytes, 3u);
  HttpResponse neg = parse_in_chunks("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nab", 64);
  EXPECT_TRUE(neg.complete);
  HttpResponse cut = parse_in_chunks("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab", 64);
  EXPECT_FALSE(cut.complete);
  HttpResponse nohead = parse_in_chunks("HTTP/1.1 200 OK\r\n", 64);
  EXPECT_FALSE(nohead.complete);
  EXPECT_EQ(nohead.status, 0);
}

TEST(ParserHardening, HttpResponseHugeHeaderStopsReading) {
  HttpResponseParser p;
  std::string junk(HttpResponseParser::kMaxHeader + 10, 'x');
  EXPECT_TRUE(p.feed(junk.data(), junk.size()));
  EXPECT_FALSE(p.response().complete);
}

TEST(ParserHardening, TracepointFormatNumberBeyondRangeIsSkippedNotThrown) {
  DropReasonNames n;
  // std::stoul threw std::out_of_range on the first entry (an uncaught exception: a crash).
  EXPECT_TRUE(n.parse_tracepoint_format(
      "{ 99999999999999999999999999, \"HUGE\" }, { 4294967296, \"JUST_ABOVE\" }, "
      "{ 2, \"NOT_SPECIFIED\" },{3,\"NO_SOCKET\"}"));
  EXPECT_EQ(n.size(), 2u);
  EXPECT_EQ(n.name(2), "NOT_SPECIFIED");
  EXPECT_EQ(n.name(3), "NO_SOCKET");
  // A long line that is nearly an entry many times over (std::regex recursed per character).
  std::string longline;
  for (int i = 0; i < 20000; ++i) longline += "{ 1, \"A";
  DropReasonNames m;
  EXPECT_FALSE(m.parse_tracepoint_format(longline));
}

TEST(ParserHardening, BtfBytesThatAreNotBtfAreAnErrorNotACrash) {
  DropReasonNames n;
  std::string err;
  const char junk[] = "\x9f\xeb\x01\x00garbage";
  EXPECT_FALSE(n.load_btf_data(junk, sizeof junk, err));
  EXPECT_FALSE(err.empty());
}

TEST(ParserHardening, NetconfMessageWithAndWithoutItsAttributes) {
  struct {
    nlmsghdr h;
    netconfmsg m;
    char pad[3];
    rtattr a1;
    int32_t ifindex;
    rtattr a2;
    int32_t rp;
  } msg{};
  static_assert(sizeof msg == 36);
  msg.h.nlmsg_len = sizeof msg;
  msg.h.nlmsg_type = RTM_NEWNETCONF;
  msg.m.ncm_family = AF_INET;
  msg.a1.rta_len = RTA_LENGTH(4);
  msg.a1.rta_type = NETCONFA_IFINDEX;
  msg.ifindex = 7;
  msg.a2.rta_len = RTA_LENGTH(4);
  msg.a2.rta_type = NETCONFA_RP_FILTER;
  msg.rp = 2;
  std::map<int, int> out;
  parse_netconf_msg(&msg.h, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[7], 2);
  // The second attribute claims more bytes than the message has: ignored, nothing read past.
  msg.a2.rta_len = 200;
  out.clear();
  parse_netconf_msg(&msg.h, out);
  EXPECT_TRUE(out.empty());
  msg.h.nlmsg_len = 8;  // shorter than its own header
  parse_netconf_msg(&msg.h, out);
  EXPECT_TRUE(out.empty());
}

TEST(ParserHardening, TcpMatchWithFlagsLibxtTcpCannotPrintIsRefusedNotCrashed) {
  // fuzz/regressions/fuzz_xt_blob/libxt_tcp-unnamed-tcp-flags: libxt_tcp's save callback walked
  // off its flag-name table on ECE (0x40) and crashed xt_save's child.
  xt_tcp tcp{};
  tcp.spts[1] = tcp.dpts[1] = 0xffff;
  tcp.flg_mask = 0x40 | 0x02;
  tcp.flg_cmp = 0x02;
  XtSaveItem bad;
  bad.blob.kind = "match";
  bad.blob.name = "tcp";
  bad.blob.info.resize(XT_ALIGN(sizeof tcp));
  std::memcpy(bad.blob.info.data(), &tcp, sizeof tcp);
  bad.proto = 6;
  XtSaveItem good = bad;
  tcp.flg_mask = 0x12;
  std::memcpy(good.blob.info.data(), &tcp, sizeof tcp);
  auto out = xt_save({bad, good}, "ip");
  ASSERT_EQ(out.size(), 2u);
  if (!out[1].ok && out[1].error.find("no libxtables extension") != std::string::npos)
    GTEST_SKIP() << out[1].error;
  EXPECT_FALSE(out[0].ok);
  EXPECT_NE(out[0].error.find("ECE"), std::string::npos) << out[0].error;
  ASSERT_TRUE(out[1].ok) << out[1].error;
  EXPECT_NE(out[1].text.find("--tcp-flags SYN,ACK SYN"), std::string::npos) << out[1].text;
}

TEST(ParserHardening, RejectWithAnUnknownValueIsRefusedNotCrashed) {
  // fuzz/regressions/fuzz_xt_blob/libip6t_REJECT-with-out-of-range: the kernel accepts any
  // reject-with value; libip6t_REJECT's save callback indexed its table with it and crashed.
  XtSaveItem bad;
  bad.blob.kind = "target";
  bad.blob.name = "REJECT";
  bad.blob.info = {0x06, 0x00, 0x00, 0x12, 0, 0, 0, 0};
  XtSaveItem good = bad;
  good.blob.info = {6, 0, 0, 0, 0, 0, 0, 0};  // IP6T_TCP_RESET
  auto out = xt_save({bad, good}, "ip6");
  ASSERT_EQ(out.size(), 2u);
  if (!out[1].ok && out[1].error.find("no libxtables extension") != std::string::npos)
    GTEST_SKIP() << out[1].error;
  EXPECT_FALSE(out[0].ok);
  EXPECT_NE(out[0].error.find("reject-with"), std::string::npos) << out[0].error;
  ASSERT_TRUE(out[1].ok) << out[1].error;
  EXPECT_NE(out[1].text.find("tcp-reset"), std::string::npos) << out[1].text;
}
