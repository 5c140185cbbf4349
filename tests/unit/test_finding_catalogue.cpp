// The finding catalogue is the one list of ids: docs/findings.md must list exactly its entries,
// and every finding the rules produce from the fixture scenarios must be in it, in its layer.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "model/finding_kind.h"

namespace pktloss {
namespace {

std::set<std::string> ids_in_docs() {
  std::ifstream in(std::string(PKTLOSS_FIXTURES) + "/../../docs/findings.md");
  EXPECT_TRUE(in) << "docs/findings.md not found";
  std::set<std::string> ids;
  std::string line;
  // Table rows start with the id(s): "| `link.rx_dropped` / `link.tx_dropped` | ...".
  static const std::regex kId("`([a-z]+\\.[a-z_]+)`");
  while (std::getline(in, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    std::string first_cell = line.substr(1, line.find('|', 1) - 1);
    for (std::sregex_iterator it(first_cell.begin(), first_cell.end(), kId), end; it != end; ++it)
      ids.insert((*it)[1]);
  }
  return ids;
}

TEST(FindingCatalogue, DocsListExactlyTheCatalogue) {
  std::set<std::string> catalogue;
  for (const FindingKind* k : finding_catalogue()) catalogue.insert(k->id);
  EXPECT_EQ(ids_in_docs(), catalogue);
}

TEST(FindingCatalogue, IdsAreLayerDotCauseAndUnique) {
  std::set<std::string> seen;
  for (const FindingKind* k : finding_catalogue()) {
    std::string id = k->id;
    EXPECT_TRUE(seen.insert(id).second) << id;
    auto dot = id.find('.');
    ASSERT_NE(dot, std::string::npos) << id;
    if (k->layer) {
      EXPECT_EQ(id.substr(0, dot), to_string(*k->layer)) << id;
    }
    EXPECT_EQ(find_finding_kind(id), k);
  }
  EXPECT_EQ(find_finding_kind("link.no_such_thing"), nullptr);
}

}  // namespace
}  // namespace pktloss
