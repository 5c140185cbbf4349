// collect/addr_text: the same text as inet_ntop(3) for every address shape (zero runs at the
// start, middle and end, ties, mapped and compatible IPv4, single zero groups) and random ones.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>

#include "collect/addr_text.h"

using namespace pktloss;

namespace {

std::string libc(int family, const unsigned char* a) {
  char buf[INET6_ADDRSTRLEN] = {};
  return inet_ntop(family, a, buf, sizeof buf) ? buf : "";
}
std::string ours(int family, const unsigned char* a) {
  char buf[INET6_ADDRSTRLEN];
  size_t n = addr_text(family, a, buf);
  EXPECT_EQ(n, std::strlen(buf));
  return std::string(buf, n);
}

}  // namespace

TEST(AddrText, SameAsInetNtopOnEveryShape) {
  const char* v6[] = {"::",
                      "::1",
                      "::2",
                      "1::",
                      "::ffff:1.2.3.4",
                      "::ffff:0.0.0.0",
                      "::1.2.3.4",
                      "::0.0.1.0",
                      "::ffff:0:1.2.3.4",
                      "fe80::1",
                      "fe80::a00:27ff:fe4e:66a1",
                      "ff02::1:ff00:1",
                      "2001:db8::1:0:0:1",
                      "2001:db8:0:0:1:0:0:1",
                      "2001:0:0:1::1",
                      "1:0:1:0:1:0:1:0",
                      "1:2:3:4:5:6:7:8",
                      "0:1:2:3:4:5:6:7",
                      "1:2:3:4:5:6:7:0",
                      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                      "64:ff9b::192.0.2.1",
                      "::1:0:0:0",
                      "1::2:0:0:3"};
  for (const char* t : v6) {
    unsigned char a[16];
    ASSERT_EQ(inet_pton(AF_INET6, t, a), 1) << t;
    EXPECT_EQ(ours(AF_INET6, a), libc(AF_INET6, a)) << t;
  }
  const char* v4[] = {"0.0.0.0", "127.0.0.1", "10.0.10.100", "255.255.255.255", "1.20.199.9"};
  for (const char* t : v4) {
    unsigned char a[4];
    ASSERT_EQ(inet_pton(AF_INET, t, a), 1) << t;
    EXPECT_EQ(ours(AF_INET, a), libc(AF_INET, a)) << t;
  }
}

TEST(AddrText, SameAsInetNtopOnRandomAddresses) {
  std::mt19937 rng(16);
  for (int n = 0; n < 200000; ++n) {
    unsigned char a[16];
    for (auto& b : a) b = static_cast<unsigned char>(rng());
    // Zero some groups so that runs of every length and place occur.
    uint32_t mask = rng();
    for (int g = 0; g < 8; ++g)
      if (mask & (1u << g)) a[2 * g] = a[2 * g + 1] = 0;
    if ((mask >> 8) % 4 == 0) a[10] = a[11] = 0xff;
    ASSERT_EQ(ours(AF_INET6, a), libc(AF_INET6, a));
    ASSERT_EQ(ours(AF_INET, a), libc(AF_INET, a));
  }
}

TEST(AddrText, OtherFamilyIsEmpty) {
  unsigned char a[16] = {};
  char buf[INET6_ADDRSTRLEN] = "x";
  EXPECT_EQ(addr_text(AF_UNIX, a, buf), 0u);
  EXPECT_STREQ(buf, "");
}
