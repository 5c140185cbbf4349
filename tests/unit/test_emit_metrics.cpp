// emit's metrics entries (check --prometheus) and the atomic file write behind them.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "render/emit.h"
#include "util/atomic_file.h"

using namespace pktloss;

namespace {

Snapshot one_qdisc() {
  Snapshot s;
  NetnsSnapshot ns;
  ns.name = "netns/srv";
  ns.inode = 42;
  ns.entered = true;
  Qdisc q;
  q.dev = "eth0";
  q.kind = "tbf";
  q.handle = 0x10000;
  q.parent = 0xFFFFFFFFu;
  q.stats.drops = 7;
  ns.qdiscs.push_back(q);
  s.namespaces.push_back(ns);
  return s;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST(EmitMetrics, PrometheusAndOpenMetricsComeFromTheTable) {
  Report r;
  r.version = "1.2.3";
  Finding f;
  f.id = "qdisc.drops";
  f.netns = "netns/srv";
  f.severity = Severity::warning;
  r.findings.push_back(f);
  Snapshot snap = one_qdisc();
  MetricsSelf self;
  self.last_collect_unix_s = 1700000000;
  OutputSpec spec;
  std::string prom = render(OutputFormat::prometheus, RenderInput{r, &snap, &self}, spec);
  EXPECT_NE(prom.find("pktloss_build_info{version=\"1.2.3\"} 1"), std::string::npos) << prom;
  EXPECT_NE(prom.find("pktloss_finding{id=\"qdisc.drops\""), std::string::npos) << prom;
  EXPECT_NE(prom.find("pktloss_last_collect_timestamp_seconds 1700000000"), std::string::npos) << prom;
  EXPECT_NE(prom.find("netns=\"netns/srv\""), std::string::npos) << "snapshot counters";
  EXPECT_EQ(prom.find("pktloss_collect_interval_seconds"), std::string::npos);
  EXPECT_EQ(prom.find("# EOF"), std::string::npos);
  std::string om = render(OutputFormat::openmetrics, RenderInput{r, &snap, &self}, spec);
  ASSERT_GE(om.size(), 6u);
  EXPECT_EQ(om.substr(om.size() - 6), "# EOF\n");
  // Without a snapshot (a command that has none) the findings still go out.
  std::string bare = render(OutputFormat::prometheus, RenderInput{r}, spec);
  EXPECT_NE(bare.find("pktloss_finding{"), std::string::npos);
}

TEST(AtomicFile, ReplacesWholeAndLeavesNoTemporary) {
  char dir[] = "/tmp/pktloss-atomic-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/pktloss.prom";
  write_file_atomically(path, "old\n");
  write_file_atomically(path, "new content\n");
  EXPECT_EQ(slurp(path), "new content\n");
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_THROW(write_file_atomically(std::string(dir) + "/missing/x.prom", "x"),
               std::runtime_error);
  try {
    write_file_atomically(std::string(dir) + "/", "x");
    ADD_FAILURE() << "a directory is not a file name";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not a file name"), std::string::npos);
  }
  unlink(path.c_str());
  EXPECT_EQ(rmdir(dir), 0) << "no temporary file left behind";
}
