#include "capture/live_capture.h"

#include <pcap/pcap.h>
#include <poll.h>

#include <chrono>
#include <stdexcept>

namespace pktloss::capture {

LiveCapture::LiveCapture(const NetnsTarget& netns, const LiveCaptureOptions& opts) : opts_(opts) {
  if (opts_.iface.empty()) throw std::runtime_error("capture: no interface given (-i IFACE)");
  if (opts_.snaplen < 64) opts_.snaplen = 64;
  if (opts_.snaplen > 262144) opts_.snaplen = 262144;
  std::string error;
  run_in_netns(netns, [&] {
    char err[PCAP_ERRBUF_SIZE] = "";
    pcap_t* p = pcap_create(opts_.iface.c_str(), err);
    if (!p) {
      error = std::string("cannot capture on ") + opts_.iface + ": " + err;
      return;
    }
    pcap_set_snaplen(p, opts_.snaplen);
    pcap_set_promisc(p, 0);  // our own traffic is enough; promiscuous mode changes the host
    pcap_set_immediate_mode(p, 1);
    pcap_set_buffer_size(p, 8 << 20);
    pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
    int rc = pcap_activate(p);
    if (rc < 0) {
      std::string why = rc == PCAP_ERROR_NO_SUCH_DEVICE ? "no such interface"
                        : rc == PCAP_ERROR_PERM_DENIED  ? "permission denied (needs CAP_NET_RAW)"
                                                        : pcap_geterr(p);
      error = "cannot capture on " + opts_.iface + " in namespace " + netns.name + ": " + why;
      pcap_close(p);
      return;
    }
    if (!opts_.filter.empty()) {
      bpf_program prog{};
      if (pcap_compile(p, &prog, opts_.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
        error = "bad capture filter '" + opts_.filter + "': " + pcap_geterr(p);
        pcap_close(p);
        return;
      }
      int set = pcap_setfilter(p, &prog);
      pcap_freecode(&prog);
      if (set != 0) {
        error = std::string("cannot install capture filter: ") + pcap_geterr(p);
        pcap_close(p);
        return;
      }
    }
    if (pcap_setnonblock(p, 1, err) != 0) {
      error = std::string("cannot make the capture non-blocking: ") + err;
      pcap_close(p);
      return;
    }
    handle_ = p;
  });
  if (!handle_) throw std::runtime_error(error.empty() ? "cannot open capture" : error);
  linktype_ = pcap_datalink(handle_);
  packets_.linktype = linktype_;
  packets_.snaplen = opts_.snaplen;
  if (!link_type_supported(linktype_))
    packets_.notes.push_back("link type " + link_type_name(linktype_) +
                             " is not decoded: packets are kept but not analysed");
}

LiveCapture::~LiveCapture() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (handle_) pcap_close(handle_);
}

void LiveCapture::start() {
  if (thread_.joinable() || done_) return;
  thread_ = std::thread([this] { loop(); });
}

void LiveCapture::on_packet(unsigned char* user, const pcap_pkthdr* h, const unsigned char* b) {
  auto* self = reinterpret_cast<LiveCapture*>(user);
  auto& pk = self->packets_;
  if (pk.records.size() >= self->opts_.max_packets) {
    pk.count_limit_reached = true;
    return;
  }
  if (pk.bytes.size() + h->caplen > self->opts_.max_bytes) {
    pk.byte_limit_reached = true;
    return;
  }
  uint64_t ts =
      static_cast<uint64_t>(h->ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(h->ts.tv_usec);
  pk.append(ts, b, h->caplen, h->len);
}

void LiveCapture::loop() {
  using clock = std::chrono::steady_clock;
  const auto deadline = opts_.duration_s > 0
                            ? clock::now() + std::chrono::duration_cast<clock::duration>(
                                                 std::chrono::duration<double>(opts_.duration_s))
                            : clock::time_point::max();
  const int fd = pcap_get_selectable_fd(handle_);
  while (!stop_ && clock::now() < deadline && !packets_.count_limit_reached &&
         !packets_.byte_limit_reached) {
    if (fd >= 0) {
      pollfd pfd{fd, POLLIN, 0};
      poll(&pfd, 1, 50);  // wakes at least every 50 ms to check the bounds
    }
    int n = pcap_dispatch(handle_, -1, &LiveCapture::on_packet, reinterpret_cast<u_char*>(this));
    if (n == PCAP_ERROR) {
      error_ = pcap_geterr(handle_);
      break;
    }
    if (fd < 0 && n == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // Stopped (Ctrl-C, the end of the window): what the kernel captured before that is still the
  // capture's; the poll above may have been asleep when it arrived. Bounded, for a flood.
  for (int i = 0;
       i < 64 && error_.empty() && !packets_.count_limit_reached && !packets_.byte_limit_reached;
       ++i)
    if (pcap_dispatch(handle_, -1, &LiveCapture::on_packet, reinterpret_cast<u_char*>(this)) <= 0)
      break;
  pcap_stat st{};
  if (pcap_stats(handle_, &st) == 0) {
    packets_.kernel_received = st.ps_recv;
    packets_.kernel_dropped = st.ps_drop;
    packets_.if_dropped = st.ps_ifdrop;
  }
  if (!error_.empty()) packets_.notes.push_back("capture ended early: " + error_);
  if (packets_.count_limit_reached)
    packets_.notes.push_back("capture stopped at the packet limit (" +
                             std::to_string(opts_.max_packets) + ")");
  if (packets_.byte_limit_reached)
    packets_.notes.push_back("capture stopped at the memory limit (" +
                             std::to_string(opts_.max_bytes) + " bytes)");
  if (packets_.kernel_dropped)
    packets_.notes.push_back(std::to_string(packets_.kernel_dropped) +
                             " packets dropped by the capture buffer (not by the network)");
  done_ = true;
}

void LiveCapture::wait() {
  if (thread_.joinable()) thread_.join();
}

CapturedPackets LiveCapture::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  return std::move(packets_);
}

}  // namespace pktloss::capture
