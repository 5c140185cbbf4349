#pragma once
// Decodes one captured frame down to the transport header, without allocating: the hot path of
// every capture analysis, and the code the fuzzer exercises. Bytes are untrusted; every length is
// checked against what was captured, and what cannot be decoded says why (SkipReason).
#include <array>
#include <cstdint>
#include <string>

namespace pktloss::capture {

// pcap link types we decode (values as libpcap reports them on Linux).
inline constexpr int kLinkNull = 0;  // BSD loopback: 4-byte host-order address family
inline constexpr int kLinkEthernet = 1;
inline constexpr int kLinkRaw = 12;       // DLT_RAW on Linux (LINKTYPE_RAW 101 in files)
inline constexpr int kLinkRawAlt = 14;    // DLT_RAW on some BSDs
inline constexpr int kLinkRawFile = 101;  // LINKTYPE_RAW, should libpcap pass it through
inline constexpr int kLinkLoop = 108;     // OpenBSD loopback: network-order address family
inline constexpr int kLinkLinuxSll = 113;
inline constexpr int kLinkIpv4 = 228;
inline constexpr int kLinkIpv6 = 229;
inline constexpr int kLinkLinuxSll2 = 276;
inline constexpr int kLinkPpp = 9;           // PPP: optional FF 03, then a 2-byte protocol
inline constexpr int kLinkPppHdlc = 50;      // PPP in HDLC-like framing
inline constexpr int kLinkPppWithDir = 204;  // one direction byte, then PPP
inline constexpr int kLinkNflog = 239;       // Linux NFLOG: TLVs around the IP packet

// Tunnels we decapsulate: inner flows are analysed, and say which tunnel carried them.
enum TunnelKind : uint8_t {
  kTunnelNone = 0,
  kTunnelVxlan,
  kTunnelGeneve,
  kTunnelGre,
  kTunnelGretap,
  kTunnelIpip,
  kTunnelMpls,
};
const char* tunnel_name(uint8_t kind);

bool link_type_supported(int linktype);

enum class SkipReason : uint8_t {
  none = 0,
  truncated,         // captured bytes end before the headers do (snaplen or damaged file)
  bad_header,        // impossible lengths: IHL < 5, total length beyond the frame, TCP offset < 5
  not_ip,            // ARP, LLDP, ...
  unsupported_link,  // link type we do not decode
  fragment,          // a non-first IP fragment: no transport header to attribute it by
  other_proto,       // IP but neither TCP, UDP nor ICMP
};
inline constexpr int kSkipReasonCount = 7;
const char* to_string(SkipReason r);

// Addresses are 16 bytes; IPv4 uses the first 4 and leaves the rest zero.
struct Tuple {
  std::array<uint8_t, 16> src{};
  std::array<uint8_t, 16> dst{};
  uint16_t sport = 0, dport = 0;  // ICMP echo: both hold the echo identifier
  uint8_t proto = 0;              // IPPROTO_TCP / UDP / ICMP / ICMPV6
  uint8_t family = 0;             // 4 or 6
};

// "10.0.0.1:80", "[2001:db8::1]:80", or without the port when port_too is false.
std::string format_endpoint(const std::array<uint8_t, 16>& addr, uint8_t family, uint16_t port,
                            bool port_too = true);

namespace tcpflag {
inline constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;
}

inline constexpr uint8_t kProtoIcmp = 1, kProtoTcp = 6, kProtoUdp = 17, kProtoIcmp6 = 58;

struct ParsedPacket {
  SkipReason skip = SkipReason::none;
  uint64_t ts_ns = 0;
  Tuple t;
  uint32_t ip_len = 0;       // IP packet size on the wire (header + payload), what MTU limits
  uint32_t payload_len = 0;  // TCP/UDP payload bytes on the wire (not what was captured)
  bool first_fragment = false;
  uint16_t l3_offset = 0;  // where the analysed IP header starts in the frame (inner, if tunnelled)
  uint16_t ip_id = 0;      // IPv4 identification (0 for IPv6)
  uint32_t frag_id = 0;    // fragment identification (IPv4 ID, or IPv6 fragment header's)
  uint8_t tunnel = 0;      // TunnelKind of the outermost tunnel stripped (0: none)
  uint32_t tunnel_id = 0;  // VNI / GRE key / MPLS label of that tunnel
  Tuple outer;             // the tunnel's outer addresses (valid when tunnel != 0)
  uint8_t depth = 0;       // tunnels stripped so far (bounded)
  // TCP
  uint32_t seq = 0, ack = 0;
  uint16_t window = 0;
  uint8_t tcp_flags = 0;
  uint16_t mss = 0;  // MSS option, 0 when absent
  uint8_t sack_blocks = 0;
  std::array<std::array<uint32_t, 2>, 4> sack{};
  // ICMP / ICMPv6
  uint8_t icmp_type = 0, icmp_code = 0;
  uint32_t icmp_mtu = 0;    // frag-needed / packet-too-big: the MTU it announces
  bool icmp_error = false;  // destination unreachable, packet too big, time exceeded, ...
  bool has_inner = false;   // the quoted packet's addresses and ports were decoded
  Tuple inner;              // the packet the ICMP error answers, as it was sent
  bool icmp_echo = false, icmp_echo_reply = false;
};

// Decodes a frame. `wirelen` is the frame's length on the wire, `caplen` how much was captured.
// Never reads beyond data[caplen). Returns false (with out.skip set) when it is not analysable.
bool parse_packet(int linktype, const uint8_t* data, uint32_t caplen, uint32_t wirelen,
                  ParsedPacket& out);

}  // namespace pktloss::capture
