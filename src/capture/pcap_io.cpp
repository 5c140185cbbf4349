#include "capture/pcap_io.h"

#include "capture/capture_reader.h"

#include <fmt/format.h>
#include <pcap/pcap.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace pktloss::capture {

void CapturedPackets::append(uint64_t ts_ns, const uint8_t* data, uint32_t caplen,
                             uint32_t wirelen) {
  records.push_back(PacketRecord{ts_ns, caplen, wirelen, bytes.size()});
  bytes.insert(bytes.end(), data, data + caplen);
}

CaptureAnalysis analyse_packets(const CapturedPackets& packets, const AnalyserConfig& cfg) {
  FlowAnalyser a(cfg);
  for (const auto& r : packets.records)
    a.add_frame(packets.linktype, r.ts_ns, packets.bytes.data() + r.offset, r.caplen, r.wirelen);
  return a.finish();
}

std::string link_type_name(int linktype) {
  const char* name = pcap_datalink_val_to_name(linktype);
  const char* desc = pcap_datalink_val_to_description(linktype);
  std::string s = name ? name : "link type " + std::to_string(linktype);
  if (desc) s += std::string(" (") + desc + ")";
  return s;
}

PcapWriter::PcapWriter(const std::string& path, int linktype, int snaplen) : snaplen_(snaplen) {
  dead_ = pcap_open_dead_with_tstamp_precision(linktype, snaplen, PCAP_TSTAMP_PRECISION_NANO);
  if (!dead_) throw std::runtime_error("cannot create a pcap writer");
  dumper_ = pcap_dump_open(dead_, path.c_str());
  if (!dumper_) {
    std::string err = pcap_geterr(dead_);
    pcap_close(dead_);
    dead_ = nullptr;
    throw std::runtime_error("cannot write " + path + ": " + err);
  }
}

PcapWriter::~PcapWriter() {
  close();
}

void PcapWriter::write(uint64_t ts_ns, const uint8_t* data, uint32_t caplen, uint32_t wirelen) {
  if (!dumper_) return;
  pcap_pkthdr h{};
  h.ts.tv_sec = static_cast<time_t>(ts_ns / 1'000'000'000);
  h.ts.tv_usec = static_cast<suseconds_t>(ts_ns % 1'000'000'000);  // nanoseconds in nano mode
  h.caplen = caplen > static_cast<uint32_t>(snaplen_) ? static_cast<uint32_t>(snaplen_) : caplen;
  h.len = wirelen < h.caplen ? h.caplen : wirelen;
  pcap_dump(reinterpret_cast<u_char*>(dumper_), &h, data);
}

void PcapWriter::close() {
  if (dumper_) pcap_dump_close(dumper_);
  if (dead_) pcap_close(dead_);
  dumper_ = nullptr;
  dead_ = nullptr;
}

void write_pcap(const CapturedPackets& packets, const std::string& path) {
  PcapWriter w(path, packets.linktype, packets.snaplen);
  for (const auto& r : packets.records)
    w.write(r.ts_ns, packets.bytes.data() + r.offset, r.caplen, r.wirelen);
}

FileReadResult read_capture_file(const std::string& path, FlowAnalyser& analyser) {
  // Our own reader, not libpcap's: it reads pcapng files whose interfaces differ in link type
  // or snaplen (libpcap refuses them) and compressed files, and is faster.
  FileReadResult r;
  bool supported_seen = false;
  CaptureFileInfo info = read_capture(
      path, [&](int linktype, uint64_t ts, const uint8_t* data, uint32_t caplen, uint32_t len) {
        analyser.add_frame(linktype, ts, data, caplen, len);
      });
  r.packets = info.packets;
  r.error = info.error;
  r.format = info.format + (info.compression.empty() ? "" : ", " + info.compression);
  std::string unsupported;
  for (const auto& itf : info.interfaces) {
    if (link_type_supported(itf.linktype)) {
      if (!supported_seen) r.linktype = itf.linktype;
      supported_seen = true;
    } else if (unsupported.find(link_type_name(itf.linktype)) == std::string::npos) {
      unsupported += (unsupported.empty() ? "" : ", ") + link_type_name(itf.linktype);
    }
  }
  if (!supported_seen) {
    if (info.interfaces.empty() && info.packets == 0 && info.error.empty())
      throw std::runtime_error("cannot analyse " + path + ": the " + info.format +
                               " file describes no interface");
    if (!info.interfaces.empty())
      throw std::runtime_error("cannot analyse " + path + ": unsupported link type " + unsupported);
  }
  if (info.interfaces.size() > 1) {
    std::string list;
    for (size_t i = 0; i < info.interfaces.size(); ++i)
      list += fmt::format("{}{}: {} snaplen {}, {} packets", i ? "; " : "", i,
                          link_type_name(info.interfaces[i].linktype), info.interfaces[i].snaplen,
                          info.interfaces[i].packets);
    r.notes.push_back(
        fmt::format("{} interfaces in the file, all read ({})", info.interfaces.size(), list));
  }
  if (!unsupported.empty() && supported_seen)
    r.notes.push_back("packets of interfaces with unsupported link type " + unsupported +
                      " were not analysed");
  return r;
}

}  // namespace pktloss::capture
