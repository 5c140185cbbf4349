#include "capture/pcap_io.h"

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
  char err[PCAP_ERRBUF_SIZE] = "";
  // Our own FILE with a 1 MiB buffer: libpcap reads each record with small freads, and stdio's
  // default 4 KiB buffer turns a 1 GB file into a quarter million read() calls.
  FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) throw std::runtime_error("cannot read capture " + path + ": " + std::strerror(errno));
  // glibc ignores the size when it allocates the buffer itself: hand it one (it must outlive
  // the FILE, which pcap_close closes).
  auto buffer = std::make_unique<char[]>(1 << 20);
  std::setvbuf(file, buffer.get(), _IOFBF, 1 << 20);
  pcap_t* p = pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, err);
  if (!p) {
    std::fclose(file);
    throw std::runtime_error("cannot read capture " + path + ": " + err);
  }
  FileReadResult r;
  r.linktype = pcap_datalink(p);
  if (!link_type_supported(r.linktype)) {
    pcap_close(p);
    throw std::runtime_error("cannot analyse " + path + ": unsupported link type " +
                             link_type_name(r.linktype));
  }
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  int rc;
  while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
    ++r.packets;
    uint64_t ts = static_cast<uint64_t>(h->ts.tv_sec) * 1'000'000'000ull +
                  static_cast<uint64_t>(h->ts.tv_usec);
    analyser.add_frame(r.linktype, ts, data, h->caplen, h->len);
  }
  if (rc == PCAP_ERROR) r.error = pcap_geterr(p);
  pcap_close(p);
  return r;
}

}  // namespace pktloss::capture
