// Owners are resolved only for the sockets a rule can name (collect/owner_candidates.h).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/owner_candidates.h"

using namespace pktloss;

namespace {

Socket sock(const char* proto, const char* state, uint16_t port, uint64_t inode) {
  Socket s;
  s.proto = proto;
  s.state = state;
  s.local_port = port;
  s.inode = inode;
  return s;
}

}  // namespace

TEST(OwnerCandidates, ThePredicate) {
  NetnsSnapshot ns;
  auto idle = sock("tcp", "LISTEN", 80, 1);
  EXPECT_FALSE(owner_candidate(idle, ns));
  auto queued = idle;
  queued.rqueue = 1;
  EXPECT_TRUE(owner_candidate(queued, ns));
  auto dropping = sock("udp", "UNCONN", 53, 2);
  EXPECT_FALSE(owner_candidate(dropping, ns));
  dropping.drops = 1;
  EXPECT_TRUE(owner_candidate(dropping, ns));
  auto no_inode = dropping;
  no_inode.inode = 0;
  EXPECT_FALSE(owner_candidate(no_inode, ns));
  FirewallRule r;
  r.dports = {443};
  ns.firewall.rules.push_back(r);
  EXPECT_TRUE(owner_candidate(sock("tcp", "LISTEN", 443, 3), ns));
  EXPECT_FALSE(owner_candidate(sock("tcp", "LISTEN", 444, 3), ns));
}

TEST(OwnerCandidates, CandidatesGetTheirOwnerOthersDoNot) {
  int a = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int b = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  struct stat sa {
  }, sb{};
  fstat(a, &sa);
  fstat(b, &sb);
  std::vector<NetnsSnapshot> nss(2);
  auto dropping = sock("udp", "UNCONN", 1, sa.st_ino);
  dropping.drops = 7;
  nss[0].sockets.push_back(dropping);
  nss[1].sockets.push_back(sock("udp", "UNCONN", 2, sb.st_ino));
  resolve_candidate_owners(nss);
  ASSERT_EQ(nss[0].sockets[0].owners.size(), 1u);
  EXPECT_EQ(nss[0].sockets[0].owners[0].pid, getpid());
  EXPECT_TRUE(nss[1].sockets[0].owners.empty());
  close(a);
  close(b);
}

TEST(OwnerCandidates, NoCandidateMeansNoWalk) {
  std::vector<NetnsSnapshot> nss(1);
  nss[0].sockets.push_back(sock("tcp", "LISTEN", 80, 12345));
  // A proc root that does not exist would leave owners empty either way; no note is written.
  resolve_candidate_owners(nss, "/nonexistent");
  EXPECT_TRUE(nss[0].notes.empty());
  EXPECT_TRUE(nss[0].sockets[0].owners.empty());
}
