#include "capture/packet_builder.h"

#include <arpa/inet.h>

#include <stdexcept>

#include "capture/packet_parser.h"

namespace pktloss::capture {
namespace {

struct Addr {
  int family = 4;
  uint8_t b[16] = {};
};

Addr parse_addr(const std::string& s) {
  Addr a;
  if (inet_pton(AF_INET, s.c_str(), a.b) == 1) return a;
  a.family = 6;
  if (inet_pton(AF_INET6, s.c_str(), a.b) == 1) return a;
  throw std::invalid_argument("not an IP address: " + s);
}

void put16(Bytes& b, size_t at, uint32_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}
void put32(Bytes& b, size_t at, uint32_t v) {
  put16(b, at, v >> 16);
  put16(b, at + 2, v & 0xffff);
}

// IP header for `l4` bytes of protocol `proto`, followed by l4.
Bytes ip_packet(const std::string& src, const std::string& dst, uint8_t proto, const Bytes& l4) {
  Addr s = parse_addr(src), d = parse_addr(dst);
  if (s.family != d.family) throw std::invalid_argument("address families differ");
  Bytes b;
  if (s.family == 4) {
    b.assign(20, 0);
    b[0] = 0x45;
    put16(b, 2, static_cast<uint32_t>(20 + l4.size()));
    b[6] = 0x40;  // DF
    b[8] = 64;
    b[9] = proto;
    std::copy(s.b, s.b + 4, b.begin() + 12);
    std::copy(d.b, d.b + 4, b.begin() + 16);
  } else {
    b.assign(40, 0);
    b[0] = 0x60;
    put16(b, 4, static_cast<uint32_t>(l4.size()));
    b[6] = proto == kProtoIcmp ? kProtoIcmp6 : proto;
    b[7] = 64;
    std::copy(s.b, s.b + 16, b.begin() + 8);
    std::copy(d.b, d.b + 16, b.begin() + 24);
  }
  b.insert(b.end(), l4.begin(), l4.end());
  return b;
}

bool is_v6(const std::string& a) {
  return a.find(':') != std::string::npos;
}

}  // namespace

Bytes make_tcp(const TcpSpec& s) {
  Bytes opts;
  if (s.mss)
    opts.insert(opts.end(), {2, 4, static_cast<uint8_t>(s.mss >> 8), static_cast<uint8_t>(s.mss)});
  if (!s.sack.empty()) {
    opts.insert(opts.end(), {1, 1, 5, static_cast<uint8_t>(2 + 8 * s.sack.size())});
    for (auto [l, r] : s.sack)
      for (uint32_t v : {l, r})
        for (int sh = 24; sh >= 0; sh -= 8) opts.push_back(static_cast<uint8_t>(v >> sh));
  }
  while (opts.size() % 4) opts.push_back(1);
  Bytes t(20 + opts.size() + s.payload, 0);
  put16(t, 0, s.sport);
  put16(t, 2, s.dport);
  put32(t, 4, s.seq);
  put32(t, 8, s.ack);
  t[12] = static_cast<uint8_t>(((20 + opts.size()) / 4) << 4);
  t[13] = s.flags;
  put16(t, 14, s.window);
  std::copy(opts.begin(), opts.end(), t.begin() + 20);
  return ip_packet(s.src, s.dst, kProtoTcp, t);
}

Bytes make_udp(const std::string& src, const std::string& dst, uint16_t sport, uint16_t dport,
               uint32_t payload) {
  Bytes u(8 + payload, 0);
  put16(u, 0, sport);
  put16(u, 2, dport);
  put16(u, 4, 8 + payload);
  return ip_packet(src, dst, kProtoUdp, u);
}

Bytes make_ip(const std::string& src, const std::string& dst, uint8_t proto, const Bytes& payload) {
  return ip_packet(src, dst, proto, payload);
}

Bytes make_udp_payload(const std::string& src, const std::string& dst, uint16_t sport,
                       uint16_t dport, const Bytes& payload) {
  Bytes u(8, 0);
  put16(u, 0, sport);
  put16(u, 2, dport);
  put16(u, 4, static_cast<uint32_t>(8 + payload.size()));
  u.insert(u.end(), payload.begin(), payload.end());
  return ip_packet(src, dst, kProtoUdp, u);
}

Bytes make_ethernet(uint16_t ethertype, const Bytes& payload) {
  Bytes b(14, 0);
  b[0] = 0x02, b[5] = 0x03, b[6] = 0x02, b[11] = 0x04;
  put16(b, 12, ethertype);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

Bytes make_icmp_echo(const std::string& src, const std::string& dst, bool reply, uint16_t id,
                     uint16_t seq) {
  Bytes m(16, 0);
  m[0] = is_v6(src) ? (reply ? 129 : 128) : (reply ? 0 : 8);
  put16(m, 4, id);
  put16(m, 6, seq);
  return ip_packet(src, dst, kProtoIcmp, m);
}

Bytes make_icmp_error(const std::string& src, const std::string& dst, uint8_t type, uint8_t code,
                      uint32_t mtu, const Bytes& quoted) {
  bool v6 = is_v6(src);
  Bytes m(8, 0);
  m[0] = type;
  m[1] = code;
  if (v6 && type == 2) put32(m, 4, mtu);
  if (!v6 && type == 3 && code == 4) put16(m, 6, mtu);
  // RFC 792 quotes the IP header + 8 bytes; RFC 4443 as much as fits in 1280.
  size_t n = v6 ? std::min<size_t>(quoted.size(), 1232) : std::min<size_t>(quoted.size(), 28);
  m.insert(m.end(), quoted.begin(), quoted.begin() + static_cast<long>(n));
  return ip_packet(src, dst, kProtoIcmp, m);
}

Bytes wrap_link(int linktype, const Bytes& ip, uint16_t vlan) {
  const bool v6 = !ip.empty() && (ip[0] >> 4) == 6;
  const uint16_t et = v6 ? 0x86dd : 0x0800;
  Bytes b;
  switch (linktype) {
    case kLinkEthernet:
      b.assign(14, 0);
      b[0] = 0x02, b[5] = 0x02, b[6] = 0x02, b[11] = 0x01;
      if (vlan) {
        put16(b, 12, 0x8100);
        b.resize(18);
        put16(b, 14, vlan & 0x0fff);
        put16(b, 16, et);
      } else {
        put16(b, 12, et);
      }
      break;
    case kLinkLinuxSll:
      b.assign(16, 0);
      put16(b, 2, 1);  // ARPHRD_ETHER
      put16(b, 4, 6);
      put16(b, 14, et);
      break;
    case kLinkLinuxSll2:
      b.assign(20, 0);
      put16(b, 0, et);
      put32(b, 4, 2);  // ifindex
      put16(b, 8, 1);
      b[11] = 6;
      break;
    case kLinkNull:
      b = {static_cast<uint8_t>(v6 ? 10 : 2), 0, 0, 0};  // host (little-endian) order
      break;
    case kLinkLoop:
      b = {0, 0, 0, static_cast<uint8_t>(v6 ? 24 : 2)};
      break;
    case kLinkPpp:
      b = {0xff, 0x03, 0x00, static_cast<uint8_t>(v6 ? 0x57 : 0x21)};
      break;
    case kLinkNflog: {
      // nflog header, an NFULA_PREFIX TLV (padded), then NFULA_PAYLOAD (lengths little-endian).
      b = {static_cast<uint8_t>(v6 ? 10 : 2), 0, 0, 0};
      b.insert(b.end(), {7, 0, 10, 0, 'p', 'k', 't', 0});  // prefix "pkt\0", 7 -> padded 8
      uint32_t len = static_cast<uint32_t>(4 + ip.size());
      b.insert(b.end(), {static_cast<uint8_t>(len & 0xff), static_cast<uint8_t>(len >> 8), 9, 0});
      break;
    }
    default:  // raw IP
      break;
  }
  b.insert(b.end(), ip.begin(), ip.end());
  return b;
}

}  // namespace pktloss::capture
