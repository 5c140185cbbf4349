#include "capture/packet_parser.h"

#include <arpa/inet.h>

#include <cstring>

namespace pktloss::capture {
namespace {

inline uint16_t be16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
inline uint32_t be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

constexpr uint16_t kEthIpv4 = 0x0800, kEthIpv6 = 0x86dd;
constexpr uint16_t kEthVlan = 0x8100, kEthQinQ = 0x88a8, kEthQinQOld = 0x9100;
constexpr uint16_t kEthMpls = 0x8847, kEthMplsMulti = 0x8848, kEthTeb = 0x6558;
constexpr uint8_t kProtoIpip = 4, kProtoIpv6InIp = 41, kProtoGre = 47;
constexpr uint16_t kPortVxlan = 4789, kPortVxlanLinux = 8472, kPortGeneve = 6081;
constexpr int kMaxTunnelDepth = 3;

// Bounds of what is captured (end) and of the frame on the wire (wire_end): lengths in headers
// are checked against the wire, reads against the capture.
struct Span {
  const uint8_t* base;  // the frame's first byte
  const uint8_t* p;
  const uint8_t* end;
  uint64_t wire_left;  // bytes from p to the end of the frame on the wire
  uint32_t avail() const { return static_cast<uint32_t>(end - p); }
  void skip(uint32_t n) {
    p += n;
    wire_left = wire_left > n ? wire_left - n : 0;
  }
};

// Strips VLAN tags (any depth up to 4) after an ethertype; returns the inner ethertype.
bool skip_vlans(Span& s, uint16_t& ethertype, SkipReason& why) {
  for (int depth = 0; depth < 4; ++depth) {
    if (ethertype != kEthVlan && ethertype != kEthQinQ && ethertype != kEthQinQOld) return true;
    if (s.avail() < 4) {
      why = SkipReason::truncated;
      return false;
    }
    ethertype = be16(s.p + 2);
    s.skip(4);
  }
  why = SkipReason::bad_header;
  return false;
}

// Reads ports / TCP header / ICMP fields at the transport header. `inner` decodes a quoted packet
// inside an ICMP error: only addresses and ports matter and the quote is usually cut short.
bool parse_transport(Span s, uint8_t proto, uint32_t l4_wire_len, bool inner, ParsedPacket& out,
                     Tuple& t) {
  t.proto = proto;
  switch (proto) {
    case kProtoTcp: {
      if (s.avail() < (inner ? 8u : 20u)) {
        out.skip = SkipReason::truncated;
        return false;
      }
      t.sport = be16(s.p);
      t.dport = be16(s.p + 2);
      if (inner) return true;
      uint32_t doff = (s.p[12] >> 4) * 4u;
      if (doff < 20 || doff > l4_wire_len) {
        out.skip = SkipReason::bad_header;
        return false;
      }
      out.seq = be32(s.p + 4);
      out.ack = be32(s.p + 8);
      out.tcp_flags = s.p[13];
      out.window = be16(s.p + 14);
      out.payload_len = l4_wire_len - doff;
      // Options: MSS and SACK, only as far as they were captured.
      uint32_t opt_end = doff < s.avail() ? doff : s.avail();
      uint32_t i = 20;
      while (i < opt_end) {
        uint8_t kind = s.p[i];
        if (kind == 0) break;
        if (kind == 1) {
          ++i;
          continue;
        }
        if (i + 1 >= opt_end) break;
        uint8_t len = s.p[i + 1];
        if (len < 2 || i + len > opt_end) break;
        if (kind == 2 && len == 4) out.mss = be16(s.p + i + 2);
        if (kind == 5 && len >= 10) {
          uint32_t n = (len - 2) / 8;
          for (uint32_t b = 0; b < n && out.sack_blocks < out.sack.size(); ++b) {
            out.sack[out.sack_blocks][0] = be32(s.p + i + 2 + b * 8);
            out.sack[out.sack_blocks][1] = be32(s.p + i + 6 + b * 8);
            ++out.sack_blocks;
          }
        }
        i += len;
      }
      return true;
    }
    case kProtoUdp: {
      if (s.avail() < (inner ? 4u : 8u)) {
        out.skip = SkipReason::truncated;
        return false;
      }
      t.sport = be16(s.p);
      t.dport = be16(s.p + 2);
      if (inner) return true;
      if (l4_wire_len < 8) {
        out.skip = SkipReason::bad_header;
        return false;
      }
      out.payload_len = l4_wire_len - 8;
      return true;
    }
    case kProtoIcmp:
    case kProtoIcmp6: {
      if (s.avail() < (inner ? 8u : 4u)) {
        out.skip = SkipReason::truncated;
        return false;
      }
      uint8_t type = s.p[0];
      bool v6 = proto == kProtoIcmp6;
      bool echo_req = v6 ? type == 128 : type == 8;
      bool echo_rep = v6 ? type == 129 : type == 0;
      if (echo_req || echo_rep) {
        if (s.avail() < 8) {
          out.skip = SkipReason::truncated;
          return false;
        }
        t.sport = t.dport = be16(s.p + 4);
        if (!inner) {
          out.icmp_echo = echo_req;
          out.icmp_echo_reply = echo_rep;
          out.icmp_type = type;
          out.icmp_code = s.p[1];
        }
        return true;
      }
      if (inner) return true;  // an error quoting an error: addresses are enough
      out.icmp_type = type;
      out.icmp_code = s.p[1];
      out.icmp_error = v6 ? (type >= 1 && type <= 4) : (type == 3 || type == 11 || type == 12);
      return true;
    }
    default:
      out.skip = SkipReason::other_proto;
      return false;
  }
}

bool parse_ip(Span s, uint16_t ethertype, bool inner, ParsedPacket& out);

// MPLS label stack: pops labels to the bottom of the stack; the payload's version nibble says
// IPv4 or IPv6 (no control word / pseudowire decoding).
bool skip_mpls(Span& s, uint16_t& ethertype, ParsedPacket& out) {
  for (int depth = 0; depth < 8; ++depth) {
    if (s.avail() < 4) {
      out.skip = SkipReason::truncated;
      return false;
    }
    uint32_t e = be32(s.p);
    if (depth == 0 && !out.tunnel) {
      out.tunnel = kTunnelMpls;
      out.tunnel_id = e >> 12;
    }
    s.skip(4);
    if (e & 0x100) {
      if (s.avail() < 1) {
        out.skip = SkipReason::truncated;
        return false;
      }
      uint8_t v = s.p[0] >> 4;
      if (v != 4 && v != 6) {
        out.skip = SkipReason::not_ip;
        return false;
      }
      ethertype = v == 6 ? kEthIpv6 : kEthIpv4;
      return true;
    }
  }
  out.skip = SkipReason::bad_header;
  return false;
}

// What follows an ethertype: VLAN tags (802.1Q, QinQ), MPLS, then IP.
bool parse_after_ethertype(Span s, uint16_t ethertype, ParsedPacket& out) {
  if (!skip_vlans(s, ethertype, out.skip)) return false;
  if (ethertype == kEthMpls || ethertype == kEthMplsMulti)
    if (!skip_mpls(s, ethertype, out)) return false;
  return parse_ip(s, ethertype, false, out);
}

// An Ethernet frame inside a tunnel (VXLAN, Geneve, GRETAP).
bool parse_ethernet(Span s, ParsedPacket& out) {
  if (s.avail() < 14) {
    out.skip = SkipReason::truncated;
    return false;
  }
  uint16_t ethertype = be16(s.p + 12);
  s.skip(14);
  return parse_after_ethertype(s, ethertype, out);
}

// Marks the packet as tunnelled (outermost tunnel wins) and bounds the nesting.
bool enter_tunnel(ParsedPacket& out, uint8_t kind, uint32_t id) {
  if (++out.depth > kMaxTunnelDepth) {
    out.skip = SkipReason::bad_header;
    return false;
  }
  if (!out.tunnel) {
    out.tunnel = kind;
    out.tunnel_id = id;
    out.outer = out.t;
  }
  out.t = Tuple{};
  out.payload_len = 0;
  out.first_fragment = false;
  return true;
}

// GRE (RFC 2784/2890): optional checksum, key and sequence words, then IP, Ethernet or MPLS.
bool parse_gre(Span s, ParsedPacket& out) {
  if (s.avail() < 4) {
    out.skip = SkipReason::truncated;
    return false;
  }
  uint16_t flags = be16(s.p), proto = be16(s.p + 2);
  if ((flags & 7) != 0) {  // version 1 is PPTP: not decoded
    out.skip = SkipReason::other_proto;
    return false;
  }
  uint32_t len = 4, key = 0;
  if (flags & 0x8000) len += 4;
  if (flags & 0x2000) {
    if (s.avail() >= len + 4) key = be32(s.p + len);
    len += 4;
  }
  if (flags & 0x1000) len += 4;
  if (s.avail() < len) {
    out.skip = SkipReason::truncated;
    return false;
  }
  s.skip(len);
  if (!enter_tunnel(out, proto == kEthTeb ? kTunnelGretap : kTunnelGre, key)) return false;
  if (proto == kEthTeb) return parse_ethernet(s, out);
  if (proto == kEthIpv4 || proto == kEthIpv6 || proto == kEthMpls)
    return parse_after_ethertype(s, proto, out);
  out.skip = SkipReason::not_ip;
  return false;
}

// VXLAN / Geneve over UDP: true when the datagram was one (out then holds the inner packet).
bool parse_udp_tunnel(Span s, ParsedPacket& out, bool& was_tunnel) {
  const uint16_t dport = out.t.dport;
  was_tunnel = false;
  if (dport == kPortVxlan || dport == kPortVxlanLinux) {
    // Flags byte with the I bit (valid VNI) set, VNI in bytes 4..6.
    if (s.avail() < 8 || (s.p[0] & 0x08) == 0) return false;
    was_tunnel = true;
    uint32_t vni = be32(s.p + 4) >> 8;
    s.skip(8);
    if (!enter_tunnel(out, kTunnelVxlan, vni)) return false;
    return parse_ethernet(s, out);
  }
  if (dport == kPortGeneve) {
    if (s.avail() < 8 || (s.p[0] >> 6) != 0) return false;
    uint32_t len = 8 + (s.p[0] & 0x3f) * 4u;
    uint16_t proto = be16(s.p + 2);
    uint32_t vni = be32(s.p + 4) >> 8;
    was_tunnel = true;
    if (s.avail() < len) {
      out.skip = SkipReason::truncated;
      return false;
    }
    s.skip(len);
    if (!enter_tunnel(out, kTunnelGeneve, vni)) return false;
    if (proto == kEthTeb) return parse_ethernet(s, out);
    if (proto == kEthIpv4 || proto == kEthIpv6) return parse_ip(s, proto, false, out);
    out.skip = SkipReason::not_ip;
    return false;
  }
  return false;
}

// IP-in-IP, IPv6-in-IP, GRE: decapsulated when the outer packet is not an ICMP quote.
bool is_ip_tunnel(uint8_t proto) {
  return proto == kProtoIpip || proto == kProtoIpv6InIp || proto == kProtoGre;
}
bool parse_ip_tunnel(Span s, uint8_t proto, ParsedPacket& out) {
  if (proto == kProtoGre) return parse_gre(s, out);
  if (!enter_tunnel(out, kTunnelIpip, 0)) return false;
  return parse_ip(s, proto == kProtoIpv6InIp ? kEthIpv6 : kEthIpv4, false, out);
}

// After the transport header of a UDP datagram: a VXLAN/Geneve payload replaces the packet.
bool after_transport(Span s, uint8_t proto, ParsedPacket& out) {
  if (proto != kProtoUdp || s.avail() < 8) return true;
  Span payload = s;
  payload.skip(8);
  payload.wire_left = out.payload_len;
  bool tunnel = false;
  bool ok = parse_udp_tunnel(payload, out, tunnel);
  return tunnel ? ok : true;
}

// The quoted packet in an ICMP error, 8 bytes after the ICMP header start.
void parse_icmp_inner(Span s, ParsedPacket& out) {
  if (s.avail() < 8) return;
  bool v6 = out.t.proto == kProtoIcmp6;
  if (!v6 && out.icmp_type == 3 && out.icmp_code == 4) out.icmp_mtu = be16(s.p + 6);
  if (v6 && out.icmp_type == 2) out.icmp_mtu = be32(s.p + 4);
  s.skip(8);
  // The quote is whatever fits in the error; its own lengths describe the original packet.
  s.wire_left = UINT32_MAX;
  ParsedPacket tmp;
  if (s.avail() < 1) return;
  uint8_t version = s.p[0] >> 4;
  if (parse_ip(s, version == 6 ? kEthIpv6 : kEthIpv4, true, tmp)) {
    out.inner = tmp.t;
    out.has_inner = true;
  }
}

bool parse_ip(Span s, uint16_t ethertype, bool inner, ParsedPacket& out) {
  Tuple& t = out.t;  // an inner parse is handed its own ParsedPacket
  if (ethertype == kEthIpv4) {
    if (s.avail() < 20) {
      out.skip = SkipReason::truncated;
      return false;
    }
    if ((s.p[0] >> 4) != 4) {
      out.skip = SkipReason::bad_header;
      return false;
    }
    uint32_t ihl = (s.p[0] & 0x0f) * 4u;
    uint32_t total = be16(s.p + 2);
    // Segmentation offload hands captures super-packets with total length 0: trust the frame.
    if (total == 0 && !inner) total = static_cast<uint32_t>(s.wire_left);
    if (ihl < 20 || total < ihl || (!inner && total > s.wire_left)) {
      out.skip = SkipReason::bad_header;
      return false;
    }
    t.family = 4;
    if (!inner) {
      out.l3_offset = static_cast<uint16_t>(s.p - s.base);
      out.ip_id = be16(s.p + 4);
      out.frag_id = out.ip_id;
    }
    std::memcpy(t.src.data(), s.p + 12, 4);
    std::memcpy(t.dst.data(), s.p + 16, 4);
    uint16_t frag = be16(s.p + 6);
    uint8_t proto = s.p[9];
    out.ip_len = total;
    if ((frag & 0x1fff) != 0) {
      t.proto = proto;
      out.skip = SkipReason::fragment;
      return false;
    }
    out.first_fragment = (frag & 0x2000) != 0;
    if (s.avail() < ihl) {
      out.skip = SkipReason::truncated;
      return false;
    }
    s.skip(ihl);
    if (!inner && is_ip_tunnel(proto)) {
      s.wire_left = total - ihl;
      return parse_ip_tunnel(s, proto, out);
    }
    if (!parse_transport(s, proto, total - ihl, inner, out, t)) return false;
    if (!inner && out.icmp_error) parse_icmp_inner(s, out);
    if (!inner) return after_transport(s, proto, out);
    return true;
  }
  if (ethertype == kEthIpv6) {
    if (s.avail() < 40) {
      out.skip = SkipReason::truncated;
      return false;
    }
    if ((s.p[0] >> 4) != 6) {
      out.skip = SkipReason::bad_header;
      return false;
    }
    uint32_t plen = be16(s.p + 4);
    if (plen == 0 && !inner) plen = s.wire_left >= 40 ? static_cast<uint32_t>(s.wire_left - 40) : 0;
    if (!inner && 40u + plen > s.wire_left) {
      out.skip = SkipReason::bad_header;
      return false;
    }
    t.family = 6;
    if (!inner) {
      out.l3_offset = static_cast<uint16_t>(s.p - s.base);
      out.ip_id = 0;
    }
    std::memcpy(t.src.data(), s.p + 8, 16);
    std::memcpy(t.dst.data(), s.p + 24, 16);
    out.ip_len = 40 + plen;
    uint8_t next = s.p[6];
    s.skip(40);
    uint32_t left = plen;  // bytes after the headers walked so far
    for (int hops = 0; hops < 8; ++hops) {
      if (next == 0 || next == 43 || next == 60 || next == 51 || next == 44) {
        if (s.avail() < 8) {
          out.skip = SkipReason::truncated;
          return false;
        }
        uint32_t len = next == 44 ? 8u : next == 51 ? (s.p[1] + 2u) * 4u : (s.p[1] + 1u) * 8u;
        if (next == 44) {
          uint16_t off = be16(s.p + 2);
          if (!inner) out.frag_id = be32(s.p + 4);
          if ((off & 0xfff8) != 0) {
            t.proto = s.p[0];
            out.skip = SkipReason::fragment;
            return false;
          }
          out.first_fragment = (off & 1) != 0;
        }
        if (len > left) {
          out.skip = SkipReason::bad_header;
          return false;
        }
        next = s.p[0];
        left -= len;
        if (s.avail() < len) {
          out.skip = SkipReason::truncated;
          return false;
        }
        s.skip(len);
        continue;
      }
      if (!inner && is_ip_tunnel(next)) {
        s.wire_left = left;
        return parse_ip_tunnel(s, next, out);
      }
      if (!parse_transport(s, next, left, inner, out, t)) return false;
      if (!inner && out.icmp_error) parse_icmp_inner(s, out);
      if (!inner) return after_transport(s, next, out);
      return true;
    }
    out.skip = SkipReason::bad_header;
    return false;
  }
  out.skip = SkipReason::not_ip;
  return false;
}

}  // namespace

bool link_type_supported(int linktype) {
  switch (linktype) {
    case kLinkNull:
    case kLinkEthernet:
    case kLinkRaw:
    case kLinkRawAlt:
    case kLinkRawFile:
    case kLinkLoop:
    case kLinkLinuxSll:
    case kLinkIpv4:
    case kLinkIpv6:
    case kLinkLinuxSll2:
    case kLinkPpp:
    case kLinkPppHdlc:
    case kLinkPppWithDir:
    case kLinkNflog:
      return true;
    default:
      return false;
  }
}

const char* tunnel_name(uint8_t kind) {
  switch (kind) {
    case kTunnelVxlan:
      return "vxlan";
    case kTunnelGeneve:
      return "geneve";
    case kTunnelGre:
      return "gre";
    case kTunnelGretap:
      return "gretap";
    case kTunnelIpip:
      return "ipip";
    case kTunnelMpls:
      return "mpls";
  }
  return "none";
}

const char* to_string(SkipReason r) {
  switch (r) {
    case SkipReason::none:
      return "none";
    case SkipReason::truncated:
      return "truncated";
    case SkipReason::bad_header:
      return "bad_header";
    case SkipReason::not_ip:
      return "not_ip";
    case SkipReason::unsupported_link:
      return "unsupported_link";
    case SkipReason::fragment:
      return "fragment";
    case SkipReason::other_proto:
      return "other_proto";
  }
  return "unknown";
}

std::string format_endpoint(const std::array<uint8_t, 16>& addr, uint8_t family, uint16_t port,
                            bool port_too) {
  char buf[INET6_ADDRSTRLEN] = "?";
  inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr.data(), buf, sizeof buf);
  if (!port_too) return buf;
  if (family == 6) return std::string("[") + buf + "]:" + std::to_string(port);
  return std::string(buf) + ":" + std::to_string(port);
}

bool parse_packet(int linktype, const uint8_t* data, uint32_t caplen, uint32_t wirelen,
                  ParsedPacket& out) {
  out = ParsedPacket{};
  if (data == nullptr) caplen = 0;
  // A capture never holds more than the wire carried; a file that says so is damaged.
  if (wirelen < caplen) wirelen = caplen;
  Span s{data, data, data + caplen, wirelen};
  uint16_t ethertype = 0;
  switch (linktype) {
    case kLinkEthernet:
      if (s.avail() < 14) {
        out.skip = SkipReason::truncated;
        return false;
      }
      ethertype = be16(s.p + 12);
      s.skip(14);
      break;
    case kLinkLinuxSll:
      if (s.avail() < 16) {
        out.skip = SkipReason::truncated;
        return false;
      }
      ethertype = be16(s.p + 14);
      s.skip(16);
      break;
    case kLinkLinuxSll2:
      if (s.avail() < 20) {
        out.skip = SkipReason::truncated;
        return false;
      }
      ethertype = be16(s.p);
      s.skip(20);
      break;
    case kLinkRaw:
    case kLinkRawAlt:
    case kLinkRawFile:
    case kLinkIpv4:
    case kLinkIpv6:
      if (s.avail() < 1) {
        out.skip = SkipReason::truncated;
        return false;
      }
      ethertype = (s.p[0] >> 4) == 6 ? kEthIpv6 : kEthIpv4;
      break;
    case kLinkPppWithDir:
    case kLinkPpp:
    case kLinkPppHdlc: {
      if (linktype == kLinkPppWithDir) {
        if (s.avail() < 1) {
          out.skip = SkipReason::truncated;
          return false;
        }
        s.skip(1);
      }
      if (s.avail() >= 2 && s.p[0] == 0xff && s.p[1] == 0x03) s.skip(2);  // address, control
      if (s.avail() < 1) {
        out.skip = SkipReason::truncated;
        return false;
      }
      // The protocol field may be compressed to one byte (odd value).
      uint16_t proto = s.p[0];
      if ((proto & 1) == 0) {
        if (s.avail() < 2) {
          out.skip = SkipReason::truncated;
          return false;
        }
        proto = be16(s.p);
        s.skip(2);
      } else {
        s.skip(1);
      }
      if (proto == 0x0021)
        ethertype = kEthIpv4;
      else if (proto == 0x0057)
        ethertype = kEthIpv6;
      else if (proto == 0x0281)
        ethertype = kEthMpls;
      else {
        out.skip = SkipReason::not_ip;
        return false;
      }
      break;
    }
    case kLinkNflog: {
      // nflog header (family, version, resource id), then TLVs (host-order 16-bit length and
      // type, padded to 4 bytes); NFULA_PAYLOAD (9) holds the IP packet.
      if (s.avail() < 4) {
        out.skip = SkipReason::truncated;
        return false;
      }
      const uint8_t family = s.p[0];
      s.skip(4);
      bool found = false;
      while (s.avail() >= 4) {
        uint16_t len = static_cast<uint16_t>(s.p[0] | s.p[1] << 8);
        uint16_t type = static_cast<uint16_t>((s.p[2] | s.p[3] << 8) & 0x7fff);
        if (len < 4) break;
        if (type == 9) {
          uint32_t plen = len - 4u;
          s.skip(4);
          if (plen < s.avail()) s.end = s.p + plen;
          s.wire_left = plen;
          found = true;
          break;
        }
        uint32_t padded = (len + 3u) & ~3u;
        if (padded > s.avail()) break;
        s.skip(padded);
      }
      if (!found) {
        out.skip = SkipReason::truncated;
        return false;
      }
      if (family == 2)
        ethertype = kEthIpv4;
      else if (family == 10)
        ethertype = kEthIpv6;
      else {
        out.skip = SkipReason::not_ip;
        return false;
      }
      return parse_ip(s, ethertype, false, out);
    }
    case kLinkNull:
    case kLinkLoop: {
      if (s.avail() < 4) {
        out.skip = SkipReason::truncated;
        return false;
      }
      // DLT_NULL is in the writer's byte order; accept either. AF_INET is 2 everywhere, AF_INET6
      // is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS).
      uint32_t le = uint32_t{s.p[0]} | uint32_t{s.p[1]} << 8 | uint32_t{s.p[2]} << 16 |
                    uint32_t{s.p[3]} << 24;
      uint32_t af = le <= 0xff ? le : be32(s.p);
      s.skip(4);
      if (af == 2)
        ethertype = kEthIpv4;
      else if (af == 10 || af == 24 || af == 28 || af == 30)
        ethertype = kEthIpv6;
      else {
        out.skip = SkipReason::not_ip;
        return false;
      }
      break;
    }
    default:
      out.skip = SkipReason::unsupported_link;
      return false;
  }
  return parse_after_ethertype(s, ethertype, out);
}

}  // namespace pktloss::capture
