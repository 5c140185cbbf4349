#pragma once
// Recognising an answer to a raw SYN probe in bytes read from a raw TCP socket (untrusted).
#include <netinet/in.h>

#include <cstddef>
#include <cstdint>
#include <optional>

namespace pktloss {

struct SynAnswer {
  uint16_t dport = 0;  // our probe's source port
  uint32_t ack = 0;    // our seq + 1 when it answers our probe
  bool synack = false;
  bool rst = false;
};

// An IPv4 TCP segment from target:port with SYN+ACK or RST+ACK; nullopt for anything else,
// including truncated or malformed bytes.
std::optional<SynAnswer> parse_syn_answer(const uint8_t* b, size_t n, in_addr target,
                                          uint16_t port);

}  // namespace pktloss
