#pragma once
// Crafts IPv4/IPv6 TCP, UDP and ICMP packets and wraps them in a link layer: for tests, the
// benchmark's generated capture and the fuzzer's seed corpus. Checksums are left zero (the
// analyser never looks at them).
#include <cstdint>
#include <string>
#include <vector>

namespace pktloss::capture {

using Bytes = std::vector<uint8_t>;

struct TcpSpec {
  std::string src, dst;  // IPv4 or IPv6 literal (both the same family)
  uint16_t sport = 0, dport = 0;
  uint32_t seq = 0, ack = 0;
  uint8_t flags = 0;  // tcpflag::*
  uint16_t window = 65535;
  uint32_t payload = 0;  // payload bytes (zeros)
  uint16_t mss = 0;      // MSS option when non-zero
  std::vector<std::pair<uint32_t, uint32_t>> sack;
};

// An IP packet (no link layer).
Bytes make_tcp(const TcpSpec& s);
Bytes make_udp(const std::string& src, const std::string& dst, uint16_t sport, uint16_t dport,
               uint32_t payload);
Bytes make_icmp_echo(const std::string& src, const std::string& dst, bool reply, uint16_t id,
                     uint16_t seq);
// An ICMP (v4 or v6, by address family) error quoting the start of `quoted` (an IP packet).
// mtu: next-hop MTU for frag-needed (v4 type 3 code 4) / packet too big (v6 type 2).
Bytes make_icmp_error(const std::string& src, const std::string& dst, uint8_t type, uint8_t code,
                      uint32_t mtu, const Bytes& quoted);

// An IP packet of any protocol around `payload` (a tunnel's inner packet, GRE, ...).
Bytes make_ip(const std::string& src, const std::string& dst, uint8_t proto, const Bytes& payload);
// A UDP datagram carrying these bytes (VXLAN, Geneve).
Bytes make_udp_payload(const std::string& src, const std::string& dst, uint16_t sport,
                       uint16_t dport, const Bytes& payload);
// An Ethernet frame (no FCS) of this ethertype around payload.
Bytes make_ethernet(uint16_t ethertype, const Bytes& payload);

// Wraps an IP packet for a pcap link type (Ethernet, with an 802.1Q tag when vlan != 0; Linux
// cooked v1/v2; raw; BSD loopback; PPP; NFLOG).
Bytes wrap_link(int linktype, const Bytes& ip, uint16_t vlan = 0);

}  // namespace pktloss::capture
