#include <gtest/gtest.h>

#include "collect/neigh_stat.h"

using namespace pktloss;

TEST(NeighStat, SumsCpuRowsAndKeepsEntriesOnce) {
  auto m = parse_neigh_stat(
      "entries  allocs unresolved_discards table_fulls\n"
      "00000004 00000004 0000000a 00000000\n"
      "00000004 00000006 00000001 00000000\n");
  EXPECT_EQ(m.at("entries"), 4u);
  EXPECT_EQ(m.at("allocs"), 10u);
  EXPECT_EQ(m.at("unresolved_discards"), 11u);
}

TEST(NeighStat, MalformedTextNeverThrows) {
  EXPECT_TRUE(parse_neigh_stat("").empty());
  auto m = parse_neigh_stat("a b\nzz 00000002 00000009\n0000000g\n\n   \n");
  EXPECT_EQ(m.count("a"), 0u);  // "zz" and "0000000g" are not hex numbers
  EXPECT_EQ(m.at("b"), 2u);     // the extra third cell is ignored
  auto huge = parse_neigh_stat("x\nffffffffffffffffffffffff\n");  // out of range
  EXPECT_EQ(huge.count("x"), 0u);
}
