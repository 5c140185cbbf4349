#include "firewall/ipt_header.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>

extern "C" {
#include <xtables.h>
}

#include "firewall/legacy.h"

namespace pktloss {

std::string save_ipv4_addr(char letter, const in_addr& addr, const in_addr& mask, bool invert) {
  if (!mask.s_addr && !invert && !addr.s_addr) return "";
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &addr, buf, sizeof buf);
  std::string s = std::string(invert ? "! " : "") + "-" + letter + " " + buf;
  int len = mask_prefix_len(reinterpret_cast<const uint8_t*>(&mask), sizeof mask);
  if (len >= 0) return s + "/" + std::to_string(len);
  char mbuf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &mask, mbuf, sizeof mbuf);
  return s + "/" + mbuf;
}

std::string save_ipv6_addr(char letter, const in6_addr& addr, const in6_addr& mask, bool invert) {
  int len = mask_prefix_len(mask.s6_addr, sizeof mask.s6_addr);
  if (!invert && len == 0) return "";
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, &addr, buf, sizeof buf);
  std::string s = std::string(invert ? "! " : "") + "-" + letter + " " + buf;
  if (len >= 0) return s + "/" + std::to_string(len);
  char mbuf[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, &mask, mbuf, sizeof mbuf);
  return s + "/" + mbuf;
}

std::string save_iface(char letter, const char* iface, const unsigned char* mask, bool invert) {
  if (mask[0] == 0) return "";
  std::string s = std::string(invert ? "! " : "") + "-" + letter + " ";
  for (unsigned i = 0; i < IFNAMSIZ; ++i) {
    if (mask[i] != 0) {
      if (iface[i] != '\0') s += iface[i];
    } else {
      if (iface[i - 1] != '\0') s += '+';  // i > 0: mask[0] != 0
      break;
    }
  }
  return s;
}

std::string save_proto(uint16_t proto, bool invert) {
  if (proto == 0) return "";
  std::string name;
  for (unsigned i = 0; xtables_chain_protos[i].name; ++i)
    if (xtables_chain_protos[i].num == proto) {
      name = xtables_chain_protos[i].name;
      break;
    }
  if (name.empty()) {
    protoent pe{}, *res = nullptr;
    char buf[1024];
    if (getprotobynumber_r(proto, &pe, buf, sizeof buf, &res) == 0 && res) name = res->p_name;
  }
  if (name.empty()) name = std::to_string(proto);
  return std::string(invert ? "! " : "") + "-p " + name;
}

}  // namespace pktloss
