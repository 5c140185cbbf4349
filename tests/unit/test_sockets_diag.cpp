// sock_diag message parsing and socket owner lookup.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/inet_diag.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "collect/sock_diag.h"
#include "collect/socket_owner.h"

using namespace pktloss;

namespace {

std::string diag_msg(int family, int state, const char* addr, uint16_t port, uint32_t rq,
                     uint32_t wq, uint32_t inode, int meminfo_fields) {
  inet_diag_msg m{};
  m.idiag_family = static_cast<uint8_t>(family);
  m.idiag_state = static_cast<uint8_t>(state);
  m.id.idiag_sport = htons(port);
  inet_pton(family, addr, m.id.idiag_src);
  m.idiag_rqueue = rq;
  m.idiag_wqueue = wq;
  m.idiag_inode = inode;
  std::string out(reinterpret_cast<const char*>(&m), sizeof m);
  out.resize(NLMSG_ALIGN(sizeof m), '\0');
  if (meminfo_fields > 0) {
    rtattr rta{};
    rta.rta_type = INET_DIAG_SKMEMINFO;
    rta.rta_len = static_cast<unsigned short>(RTA_LENGTH(meminfo_fields * 4));
    out.append(reinterpret_cast<const char*>(&rta), sizeof rta);
    for (int i = 0; i < meminfo_fields; ++i) {
      uint32_t v = i == SK_MEMINFO_RCVBUF ? 2304 : i == SK_MEMINFO_DROPS ? 99 : i == 0 ? 768 : 0;
      out.append(reinterpret_cast<const char*>(&v), 4);
    }
  }
  return out;
}

}  // namespace

TEST(SockDiag, ParsesListenerWithQueueAndLimit) {
  Socket s;
  ASSERT_TRUE(
      parse_inet_diag_msg(diag_msg(AF_INET, 10, "10.77.0.2", 8080, 2, 1, 555, 9), IPPROTO_TCP, s));
  EXPECT_EQ(s.proto, "tcp");
  EXPECT_EQ(s.state, "LISTEN");
  EXPECT_EQ(s.local_addr, "10.77.0.2");
  EXPECT_EQ(s.local_port, 8080);
  EXPECT_EQ(s.rqueue, 2u);
  EXPECT_EQ(s.wqueue, 1u);
  EXPECT_EQ(s.inode, 555u);
  EXPECT_EQ(s.rcvbuf, 2304u);
  EXPECT_EQ(s.rmem_alloc, 768u);
  EXPECT_EQ(s.drops, 99u);
}

TEST(SockDiag, UdpUnconnectedIpv6AndOldKernelWithoutDrops) {
  Socket s;
  ASSERT_TRUE(parse_inet_diag_msg(diag_msg(AF_INET6, 7, "::1", 53, 0, 0, 7, 8), IPPROTO_UDP, s));
  EXPECT_EQ(s.state, "UNCONN");
  EXPECT_EQ(s.local_addr, "::1");
  EXPECT_EQ(s.rcvbuf, 2304u);
  EXPECT_EQ(s.drops, 0u);  // 8 meminfo fields: no SK_MEMINFO_DROPS on that kernel
}

TEST(SockDiag, TruncatedOrHostileBytesAreRejected) {
  Socket s;
  std::string good = diag_msg(AF_INET, 10, "1.2.3.4", 1, 0, 0, 1, 9);
  EXPECT_FALSE(parse_inet_diag_msg(good.substr(0, 10), IPPROTO_TCP, s));
  // Attribute claims more bytes than there are.
  std::string bad = good.substr(0, good.size() - 8);
  EXPECT_FALSE(parse_inet_diag_msg(bad, IPPROTO_TCP, s));
  // Unknown family.
  EXPECT_FALSE(
      parse_inet_diag_msg(diag_msg(AF_UNIX, 10, "1.2.3.4", 1, 0, 0, 1, 0), IPPROTO_TCP, s));
  // Every truncation of a good message: no crash, no over-read (run under ASan to be sure).
  for (size_t n = 0; n <= good.size(); ++n) parse_inet_diag_msg(good.substr(0, n), IPPROTO_TCP, s);
}

TEST(SockDiag, StateNames) {
  EXPECT_STREQ(tcp_state_name(10, IPPROTO_TCP), "LISTEN");
  EXPECT_STREQ(tcp_state_name(1, IPPROTO_UDP), "ESTABLISHED");
  EXPECT_STREQ(tcp_state_name(200, IPPROTO_TCP), "UNKNOWN");
}

TEST(SockDiag, DumpsOurOwnListenerOnLoopback) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(fd, 3), 0);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  struct stat st {};
  fstat(fd, &st);
  std::vector<Socket> out;
  std::string err;
  ASSERT_TRUE(sock_diag_dump({AF_INET, IPPROTO_TCP, 1u << 10}, out, err)) << err;
  bool found = false;
  for (const auto& s : out)
    if (s.inode == st.st_ino) {
      found = true;
      EXPECT_EQ(s.local_port, ntohs(a.sin_port));
      EXPECT_EQ(s.wqueue, 3u);  // the backlog limit
    }
  EXPECT_TRUE(found);
  // ...and we are its owner.
  auto owners = find_socket_owners({static_cast<uint64_t>(st.st_ino)});
  ASSERT_EQ(owners[st.st_ino].size(), 1u);
  EXPECT_EQ(owners[st.st_ino][0].pid, getpid());
  EXPECT_FALSE(owners[st.st_ino][0].comm.empty());
  close(fd);
}

TEST(SocketOwner, LinkParsing) {
  EXPECT_EQ(socket_inode_from_link("socket:[12345]"), 12345u);
  EXPECT_FALSE(socket_inode_from_link("socket:[]"));
  EXPECT_FALSE(socket_inode_from_link("socket:[12a]"));
  EXPECT_FALSE(socket_inode_from_link("pipe:[1]"));
  EXPECT_FALSE(socket_inode_from_link("/dev/null"));
  EXPECT_FALSE(socket_inode_from_link("socket:[99999999999999999999999]"));
}

TEST(SocketOwner, MissingProcRootAndEmptySetAreHarmless) {
  EXPECT_TRUE(find_socket_owners({1, 2}, nullptr, 100, "/nonexistent").empty());
  OwnerScanStats st;
  EXPECT_TRUE(find_socket_owners({}, &st).empty());
  EXPECT_EQ(st.processes, 0u);
}

TEST(SocketOwner, FdBudgetStopsTheScan) {
  OwnerScanStats st;
  find_socket_owners({1}, &st, 1);
  EXPECT_TRUE(st.truncated);
}
