// libFuzzer target: a whole capture file (pcap or pcapng, possibly gzip/zstd compressed) read
// from memory by our block reader and analysed, as `pktloss capture --read` does.
#include <cstdint>
#include <stdexcept>

#include "capture/capture_reader.h"
#include "capture/flow_analyser.h"
#include "capture/packet_parser.h"
#include "fuzz/fuzz_entry.h"

using namespace pktloss::capture;

PKTLOSS_FUZZ_TARGET(fuzz_pcap_file) {
  AnalyserConfig cfg;
  cfg.max_flows = 64;
  FlowAnalyser a(cfg);
  uint64_t n = 0;
  try {
    read_capture_memory(
        data, size, [&](int link, uint64_t ts, const uint8_t* pkt, uint32_t caplen, uint32_t len) {
          if (++n <= 10000) a.add_frame(link, ts, pkt, caplen, len);
        });
  } catch (const std::runtime_error&) {
    // not a capture: a clear error for the user, nothing to analyse
  }
  (void)a.finish();
  return 0;
}
