// Capture analysis speed.
//   bench_capture generate FILE MB   writes a synthetic Ethernet capture of about MB megabytes:
//                                    many concurrent HTTP-like TCP flows (handshake, request,
//                                    1448-byte data, delayed ACKs, FIN), 0.2% retransmissions,
//                                    1% of flows black-holed above 100 bytes, some DNS over UDP.
//   bench_capture analyse FILE       streams FILE through libpcap + the analyser on one thread
//                                    and prints packets/s.
//   bench_capture [gbench flags]     micro-benchmarks: parser alone, analyser on in-memory frames.
#include <benchmark/benchmark.h>

#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "capture/flow_analyser.h"
#include "capture/packet_builder.h"
#include "capture/packet_parser.h"
#include "capture/pcap_io.h"

using namespace pktloss::capture;

namespace {

struct GenFlow {
  uint32_t cseq = 0, sseq = 0;
  uint16_t cport = 0;
  int server = 0;
  int phase = 0;      // 0 syn, 1 synack, 2 ack, 3 request, 4 data..., 5 fin
  int remaining = 0;  // data segments left
  bool blackhole = false;
  int since_ack = 0;
};

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  // Calls emit(frame) for the next packets of the synthetic traffic.
  template <typename Emit>
  void step(Emit&& emit) {
    if (flows_.size() < 2000) flows_.push_back(new_flow());
    GenFlow& f = flows_[next_++ % flows_.size()];
    std::string c =
        "10.1." + std::to_string((f.cport >> 8) & 0xff) + "." + std::to_string(f.cport & 0xff);
    std::string s = "10.2.0." + std::to_string(f.server + 1);
    auto tcp = [&](bool from_client, uint32_t seq, uint32_t ack, uint8_t flags, uint32_t len) {
      TcpSpec t{from_client ? c : s,
                from_client ? s : c,
                static_cast<uint16_t>(from_client ? f.cport : 80),
                static_cast<uint16_t>(from_client ? 80 : f.cport),
                seq,
                ack,
                flags,
                65535,
                len,
                static_cast<uint16_t>(flags & tcpflag::kSyn ? 1460 : 0),
                {}};
      emit(wrap_link(kLinkEthernet, make_tcp(t)));
    };
    switch (f.phase) {
      case 0:
        tcp(true, f.cseq, 0, tcpflag::kSyn, 0);
        f.phase = 1;
        break;
      case 1:
        tcp(false, f.sseq, f.cseq + 1, tcpflag::kSyn | tcpflag::kAck, 0);
        ++f.cseq, ++f.sseq, f.phase = 2;
        break;
      case 2:
        tcp(true, f.cseq, f.sseq, tcpflag::kAck, 0);
        f.phase = 3;
        break;
      case 3:
        tcp(true, f.cseq, f.sseq, tcpflag::kAck | tcpflag::kPsh, 120);
        if (f.blackhole) {
          if (++f.since_ack > 5) f = new_flow();  // retransmitted, never ACKed; give up
          break;
        }
        f.cseq += 120, f.phase = 4;
        break;
      case 4: {
        // A window's worth of segments back to back, as TCP sends them.
        for (int burst = 1 + static_cast<int>(rand() % 10); burst > 0 && f.remaining > 0; --burst) {
          uint32_t len = f.remaining == 1 ? 700 : 1448;
          tcp(false, f.sseq, f.cseq, tcpflag::kAck, len);
          if (rand() % 500 == 0) tcp(false, f.sseq, f.cseq, tcpflag::kAck, len);  // retransmit
          f.sseq += len;
          if (++f.since_ack == 2 || f.remaining == 1) {
            tcp(true, f.cseq, f.sseq, tcpflag::kAck, 0);
            f.since_ack = 0;
          }
          if (--f.remaining == 0) f.phase = 5;
        }
        break;
      }
      case 5:
        tcp(true, f.cseq, f.sseq, tcpflag::kFin | tcpflag::kAck, 0);
        tcp(false, f.sseq, f.cseq + 1, tcpflag::kFin | tcpflag::kAck, 0);
        tcp(true, f.cseq + 1, f.sseq + 1, tcpflag::kAck, 0);
        f = new_flow();
        break;
    }
    if (rand() % 20 == 0) {
      uint16_t port = static_cast<uint16_t>(1024 + rand() % 60000);
      emit(wrap_link(kLinkEthernet, make_udp("10.1.0.9", "10.2.0.53", port, 53, 40)));
      emit(wrap_link(kLinkEthernet, make_udp("10.2.0.53", "10.1.0.9", 53, port, 120)));
    }
  }

 private:
  uint32_t rand() {
    rng_ ^= rng_ << 13, rng_ ^= rng_ >> 7, rng_ ^= rng_ << 17;
    return static_cast<uint32_t>(rng_);
  }
  GenFlow new_flow() {
    GenFlow f;
    f.cport = static_cast<uint16_t>(1024 + (port_++ % 64000));
    f.cseq = rand();
    f.sseq = rand();
    f.server = static_cast<int>(rand() % 50);
    f.remaining = 4 + static_cast<int>(rand() % 60);
    f.blackhole = rand() % 100 == 0;
    return f;
  }
  uint64_t rng_;
  uint32_t port_ = 0;
  size_t next_ = 0;
  std::vector<GenFlow> flows_;
};

int generate(const std::string& path, uint64_t megabytes) {
  PcapWriter w(path, kLinkEthernet);
  Generator g(42);
  uint64_t bytes = 24, packets = 0, ts = 1'700'000'000ull * 1'000'000'000ull;
  const uint64_t target = megabytes << 20;
  while (bytes < target) {
    g.step([&](const Bytes& frame) {
      ts += 10'000;  // 100k packets per second of capture time
      w.write(ts, frame.data(), static_cast<uint32_t>(frame.size()),
              static_cast<uint32_t>(frame.size()));
      bytes += 16 + frame.size();
      ++packets;
    });
  }
  w.close();
  std::printf("generated %s: %llu packets, %.1f MB\n", path.c_str(),
              static_cast<unsigned long long>(packets), bytes / 1048576.0);
  return 0;
}

int analyse(const std::string& path) {
  auto cpu = [] {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + t.tv_nsec / 1e9;
  };
  double c0 = cpu();
  auto t0 = std::chrono::steady_clock::now();
  FlowAnalyser a;
  auto r = read_capture_file(path, a);
  auto t1 = std::chrono::steady_clock::now();
  auto res = a.finish();
  auto t2 = std::chrono::steady_clock::now();
  double cpu_s = cpu() - c0;
  double read_s = std::chrono::duration<double>(t1 - t0).count();
  double all_s = std::chrono::duration<double>(t2 - t0).count();
  std::printf(
      "analysed %llu packets, %zu flows in %.3f s (read+analyse %.3f s, verdicts %.3f s)"
      ": %.2f Mpps\n",
      static_cast<unsigned long long>(r.packets), res.flows.size(), all_s, read_s, all_s - read_s,
      r.packets / all_s / 1e6);
  std::printf("cpu time on its one thread %.3f s: %.2f Mpps per core\n", cpu_s,
              r.packets / cpu_s / 1e6);
  std::printf("summary: %s\n", res.summary.c_str());
  return 0;
}

// In-memory frames for the micro-benchmarks.
const CapturedPackets& sample() {
  static CapturedPackets pk = [] {
    CapturedPackets p;
    Generator g(7);
    uint64_t ts = 1;
    while (p.records.size() < 200000)
      g.step([&](const Bytes& f) {
        uint32_t cap = std::min<uint32_t>(static_cast<uint32_t>(f.size()), 128);
        p.append(ts += 10'000, f.data(), cap, static_cast<uint32_t>(f.size()));
      });
    return p;
  }();
  return pk;
}

void BM_ParsePacket(benchmark::State& state) {
  const auto& pk = sample();
  ParsedPacket p;
  size_t i = 0;
  for (auto _ : state) {
    const auto& r = pk.records[i++ % pk.records.size()];
    benchmark::DoNotOptimize(
        parse_packet(pk.linktype, pk.bytes.data() + r.offset, r.caplen, r.wirelen, p));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ParsePacket);

void BM_AnalyseInMemory(benchmark::State& state) {
  const auto& pk = sample();
  for (auto _ : state) {
    auto a = analyse_packets(pk);
    benchmark::DoNotOptimize(a.flows.size());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * pk.records.size()));
}
BENCHMARK(BM_AnalyseInMemory)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "generate") == 0) {
    if (argc != 4) {
      std::fprintf(stderr, "usage: bench_capture generate FILE MB\n");
      return 2;
    }
    return generate(argv[2], std::strtoull(argv[3], nullptr, 10));
  }
  if (argc >= 2 && std::strcmp(argv[1], "analyse") == 0) {
    if (argc != 3) {
      std::fprintf(stderr, "usage: bench_capture analyse FILE\n");
      return 2;
    }
    try {
      return analyse(argv[2]);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench_capture: %s\n", e.what());
      return 2;
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
