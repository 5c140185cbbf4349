// libFuzzer target: the probes' raw-socket readers, which see every packet the host receives
// (any peer can send them): answers to a raw SYN probe, and ICMP echo replies / errors quoting
// our echo. Byte 0 picks the parser, the rest is the IPv4 packet.
#include <arpa/inet.h>

#include "fuzz/fuzz_entry.h"
#include "probe/pinger.h"
#include "probe/syn_answer.h"

PKTLOSS_FUZZ_TARGET(fuzz_probe_packets) {
  if (size < 1) return 0;
  in_addr target{};
  inet_pton(AF_INET, "10.0.0.2", &target);
  if (data[0] & 1) {
    pktloss::probe::PingEvent ev;
    pktloss::probe::parse_icmp_packet(data + 1, size - 1, target, 0x1234, ev);
  } else {
    pktloss::parse_syn_answer(data + 1, size - 1, target, 80);
  }
  return 0;
}
