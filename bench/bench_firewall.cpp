// Firewall collector cost on a big ruleset. Run inside the namespace that holds the ruleset
// (bench/firewall.sh creates one with 10,000 rules in 50 chains): every benchmark reads the
// ruleset of the process's own namespace. The nft / iptables-save benchmarks run the classic
// tools the same way for comparison, in the same run.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "firewall/collect_firewall.h"
#include "rules/rule_families.h"

extern char** environ;

namespace {

using namespace pktloss;

void run_tool(benchmark::State& state, std::vector<const char*> argv) {
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  for (auto _ : state) {
    pid_t pid;
    if (posix_spawnp(&pid, argv[0], &fa, nullptr, const_cast<char* const*>(argv.data()), environ) !=
        0) {
      state.SkipWithError("cannot run the tool");
      break;
    }
    int status = 0;
    waitpid(pid, &status, 0);
  }
  posix_spawn_file_actions_destroy(&fa);
}

void BM_NftJsonListRuleset(benchmark::State& state) {
  run_tool(state, {"nft", "-j", "list", "ruleset"});
}
BENCHMARK(BM_NftJsonListRuleset)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_IptablesSaveCounters(benchmark::State& state) {
  run_tool(state, {"iptables-save", "-c"});
}
BENCHMARK(BM_IptablesSaveCounters)->Unit(benchmark::kMillisecond)->UseRealTime();

// Read every ruleset (nftables JSON + libnftnl + legacy) into the model.
void BM_CollectFirewall(benchmark::State& state) {
  size_t rules = 0;
  for (auto _ : state) {
    NetnsSnapshot ns;
    collect_firewall(ns);
    rules = ns.firewall.rules.size();
    benchmark::DoNotOptimize(ns);
  }
  state.counters["candidate_rules"] = static_cast<double>(rules);
}
BENCHMARK(BM_CollectFirewall)->Unit(benchmark::kMillisecond)->UseRealTime();

// Read and attribute: what `check` adds per snapshot pair, against the window before.
void BM_CollectAndAttribute(benchmark::State& state) {
  NetnsSnapshot before;
  collect_firewall(before);
  Snapshot snap;
  Observations obs;
  RuleConfig cfg;
  size_t findings = 0;
  for (auto _ : state) {
    NetnsSnapshot after;
    collect_firewall(after);
    Findings out;
    RuleInput in{&before, after, snap, nullptr, 1.0, obs, cfg};
    netfilter_rules(in, out);
    findings = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.counters["findings"] = static_cast<double>(findings);
}
BENCHMARK(BM_CollectAndAttribute)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
