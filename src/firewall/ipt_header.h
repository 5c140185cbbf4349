#pragma once
// The rule header of an iptables-save line (-s, -d, -i, -o, -p, -f), printed the way iptables
// 1.8.9's save_ipv4_addr / save_ipv6_addr / save_rule_details print it, so pktloss's text of a
// rule is the tool's own. Each function returns "" or one header item without a leading space:
// "! -s 10.0.0.0/8", "-i eth+", "-p dccp".
#include <netinet/in.h>

#include <cstdint>
#include <string>

namespace pktloss {

std::string save_ipv4_addr(char letter, const in_addr& addr, const in_addr& mask, bool invert);
std::string save_ipv6_addr(char letter, const in6_addr& addr, const in6_addr& mask, bool invert);
// iface/mask: the IFNAMSIZ arrays of the entry. "-i eth+" for a wildcard; "" when the mask is
// empty ("-i +" matches every interface and iptables-save prints nothing).
std::string save_iface(char letter, const char* iface, const unsigned char* mask, bool invert);
// libxtables' chain protocol names first, then /etc/protocols, else the number ("-p 253").
std::string save_proto(uint16_t proto, bool invert);

}  // namespace pktloss
