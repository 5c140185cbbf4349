// Writes a seed corpus for the fuzz targets: real frames and small capture files.
#include <cstdio>
#include <string>

#include "capture/packet_builder.h"
#include "capture/packet_parser.h"
#include "capture/pcap_io.h"

using namespace pktloss::capture;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: make_seeds PARSER_DIR PCAP_DIR\n");
    return 2;
  }
  std::string pdir = argv[1], fdir = argv[2];
  TcpSpec syn{"10.0.0.1", "10.0.0.2", 40000, 80, 1, 0, tcpflag::kSyn, 64240, 0, 1460, {}};
  TcpSpec data{"2001:db8::1", "2001:db8::2", 40000, 443, 7, 9, tcpflag::kAck, 100, 40, 0, {{1, 2}}};
  Bytes udp = make_udp("10.0.0.1", "10.0.0.2", 5000, 53, 20);
  std::vector<Bytes> ips = {
      make_tcp(syn),
      make_tcp(data),
      udp,
      make_icmp_error("10.0.0.2", "10.0.0.1", 3, 3, 0, udp),
      make_icmp_error("10.0.0.254", "10.0.0.1", 3, 4, 1280, make_tcp(syn)),
      make_icmp_error("2001:db8::fe", "2001:db8::1", 2, 0, 1280, make_tcp(data)),
      make_icmp_echo("10.0.0.1", "10.0.0.2", false, 1, 1)};
  const int links[] = {kLinkEthernet, kLinkLinuxSll, kLinkLinuxSll2,
                       kLinkRaw,      kLinkNull,     kLinkLoop};
  int n = 0;
  for (size_t li = 0; li < std::size(links); ++li) {
    std::string seed{static_cast<char>(li), 0};
    for (const auto& ip : ips) {
      Bytes f = wrap_link(links[li], ip, li == 0 ? 5 : 0);
      seed.append(f.begin(), f.end());
      seed += "PKTL";
    }
    FILE* out = std::fopen((pdir + "/seed" + std::to_string(n++)).c_str(), "wb");
    if (!out) return 1;
    std::fwrite(seed.data(), 1, seed.size(), out);
    std::fclose(out);
    PcapWriter w(fdir + "/seed" + std::to_string(li) + ".pcap", links[li]);
    uint64_t ts = 1;
    for (const auto& ip : ips) {
      Bytes f = wrap_link(links[li], ip);
      w.write(ts++, f.data(), static_cast<uint32_t>(f.size()), static_cast<uint32_t>(f.size()));
    }
  }
  return 0;
}
