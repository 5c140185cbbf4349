// libFuzzer target: a whole capture file (pcap or pcapng header, records, packets) read through
// libpcap from memory and analysed, as `pktloss capture --read` does.
#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>

#include "capture/flow_analyser.h"
#include "capture/packet_parser.h"

using namespace pktloss::capture;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FILE* f = fmemopen(const_cast<uint8_t*>(data), size, "rb");
  if (!f) return 0;
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_fopen_offline(f, err);  // closes f on success
  if (!p) {
    fclose(f);
    return 0;
  }
  int link = pcap_datalink(p);
  if (link_type_supported(link)) {
    AnalyserConfig cfg;
    cfg.max_flows = 64;
    FlowAnalyser a(cfg);
    pcap_pkthdr* h;
    const u_char* pkt;
    for (int n = 0; n < 10000 && pcap_next_ex(p, &h, &pkt) == 1; ++n)
      a.add_frame(link, uint64_t(h->ts.tv_sec) * 1000000000ull + h->ts.tv_usec, pkt, h->caplen,
                  h->len);
    (void)a.finish();
  }
  pcap_close(p);
  return 0;
}
