// The --version feature probe on a fake /sys and /proc tree.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "util/features.h"

namespace pktloss {
namespace {

namespace fs = std::filesystem;

struct FakeRoot {
  fs::path dir;
  FakeRoot() {
    dir = fs::temp_directory_path() /
          ("pktloss-features-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir / "sys" / "kernel");
    fs::create_directories(dir / "proc" / "net");
  }
  ~FakeRoot() { fs::remove_all(dir); }
  void touch(const fs::path& rel, const std::string& text = "") {
    fs::create_directories((dir / rel).parent_path());
    std::ofstream(dir / rel) << text;
  }
  FeatureRoots roots() const {
    return {(dir / "sys").string(), (dir / "proc").string(), false, false};
  }
};

const Feature& get(const std::vector<Feature>& fs, const std::string& name) {
  for (const auto& f : fs)
    if (f.name == name) return f;
  throw std::runtime_error("no feature " + name);
}

TEST(Features, NothingPresentOnAnEmptyTree) {
  FakeRoot root;
  auto f = probe_features(root.roots());
  ASSERT_EQ(f.size(), 4u);
  EXPECT_FALSE(get(f, "BTF").present);
  EXPECT_FALSE(get(f, "eBPF tracer").present);
  EXPECT_NE(get(f, "eBPF tracer").detail.find("needs BTF"), std::string::npos);
  EXPECT_FALSE(get(f, "iptables-legacy").present);
  EXPECT_FALSE(get(f, "nftables").present);
}

TEST(Features, FilesPresentAreFound) {
  FakeRoot root;
  root.touch("sys/kernel/btf/vmlinux");
  root.touch("sys/kernel/tracing/events/skb/kfree_skb/format");
  root.touch("proc/net/ip_tables_names", "filter\nnat\n");
  auto f = probe_features(root.roots());
  EXPECT_TRUE(get(f, "BTF").present);
  EXPECT_TRUE(get(f, "eBPF tracer").present);
  EXPECT_NE(get(f, "eBPF tracer").detail.find("kfree_skb"), std::string::npos);
  EXPECT_TRUE(get(f, "iptables-legacy").present);
  EXPECT_NE(get(f, "iptables-legacy").detail.find("filter,nat"), std::string::npos);
  std::string text = format_features(f);
  EXPECT_NE(text.find("  BTF             yes  "), std::string::npos) << text;
  EXPECT_NE(text.find("  iptables-legacy yes  "), std::string::npos) << text;
}

TEST(Features, TheRealHostProbeDoesNotThrow) {
  auto f = probe_features();
  EXPECT_EQ(f.size(), 4u);
  for (const auto& x : f) EXPECT_FALSE(x.detail.empty()) << x.name;
}

}  // namespace
}  // namespace pktloss
