#pragma once
// Live capture through libpcap on an interface inside a network namespace. The handle is opened
// on a thread that entered the namespace (run_in_netns); the packet socket stays bound to that
// namespace's interface afterwards, so packets are then read on our own background thread.
// Bounded in time, packet count, bytes and snaplen.
//
//   LiveCapture cap(netns_by_name("ns1"), {.iface = "eth0", .filter = "tcp port 80"});
//   cap.start();                  // returns at once; capture runs in the background
//   ... run probes ...
//   CapturedPackets pk = cap.stop();
//   CaptureAnalysis a = analyse_packets(pk);
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "capture/pcap_io.h"
#include "netns/netns.h"

struct pcap_pkthdr;

namespace pktloss::capture {

struct LiveCaptureOptions {
  std::string iface;
  std::string filter;               // BPF expression, empty: everything
  double duration_s = 5;            // stops by itself after this long; <= 0: only stop() ends it
  uint64_t max_packets = 200000;    // then stops
  uint64_t max_bytes = 256u << 20;  // captured bytes held in memory, then stops
  int snaplen = 256;                // headers are all the analysis needs
};

class LiveCapture {
 public:
  // Opens and activates the handle inside the namespace and installs the filter. Throws
  // std::runtime_error with a one-line message (no such interface, no privilege, bad filter).
  LiveCapture(const NetnsTarget& netns, const LiveCaptureOptions& opts);
  ~LiveCapture();
  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;

  int linktype() const { return linktype_; }
  // Starts reading packets on a background thread.
  void start();
  // True once a bound (time, count, bytes) was reached or stop() was called.
  bool finished() const { return done_.load(); }
  // Blocks until a bound is reached (start() first).
  void wait();
  // Ends the capture (if still running) and hands over the packets. Call once.
  CapturedPackets stop();

 private:
  void loop();
  static void on_packet(unsigned char* user, const ::pcap_pkthdr* h, const unsigned char* b);

  LiveCaptureOptions opts_;
  pcap_t* handle_ = nullptr;
  int linktype_ = 0;
  CapturedPackets packets_;
  std::thread thread_;
  std::atomic<bool> stop_{false}, done_{false};
  std::string error_;
};

}  // namespace pktloss::capture
