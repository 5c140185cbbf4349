// libFuzzer target: the packet parser and the flow analyser on arbitrary frames.
// Input: byte 0 picks the link type, byte 1 how many bytes were "on the wire" beyond the
// capture, the rest is one or more frames separated by the 4-byte marker "PKTL" (so the analyser
// sees conversations, not only single packets).
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "capture/flow_analyser.h"
#include "capture/packet_parser.h"
#include "fuzz/fuzz_entry.h"

using namespace pktloss::capture;

PKTLOSS_FUZZ_TARGET(fuzz_packet_parser) {
  static const int kLinks[] = {kLinkEthernet, kLinkLinuxSll, kLinkLinuxSll2, kLinkRaw, kLinkNull,
                               kLinkLoop,     kLinkIpv4,     kLinkIpv6,      105};
  if (size < 2) return 0;
  int link = kLinks[data[0] % (sizeof kLinks / sizeof kLinks[0])];
  uint32_t extra = data[1];
  data += 2;
  size -= 2;
  AnalyserConfig cfg;
  cfg.max_flows = 64;
  cfg.max_tracked_segments = 16;
  FlowAnalyser analyser(cfg);
  ParsedPacket p;
  uint64_t ts = 0;
  size_t start = 0;
  for (size_t i = 0; i <= size; ++i) {
    bool end = i == size || (i + 4 <= size && std::memcmp(data + i, "PKTL", 4) == 0);
    if (!end) continue;
    uint32_t len = static_cast<uint32_t>(i - start);
    parse_packet(link, data + start, len, len + extra, p);
    analyser.add_frame(link, ts += 1000, data + start, len, len + extra);
    start = i + 4;
    i += 3;
  }
  auto a = analyser.finish();
  (void)a;
  return 0;
}
