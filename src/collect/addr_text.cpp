#include "collect/addr_text.h"

#include <cstdint>
#include <cstring>

namespace pktloss {
namespace {

char* put_u8(char* p, unsigned v) {
  if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
  if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
  *p++ = static_cast<char>('0' + v % 10);
  return p;
}

char* put_v4(char* p, const unsigned char* a) {
  for (int i = 0; i < 4; ++i) {
    if (i) *p++ = '.';
    p = put_u8(p, a[i]);
  }
  return p;
}

char* put_hex16(char* p, unsigned v) {
  static const char kHex[] = "0123456789abcdef";
  bool started = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    unsigned d = (v >> shift) & 0xf;
    if (d || started || shift == 0) {
      *p++ = kHex[d];
      started = true;
    }
  }
  return p;
}

// glibc's inet_ntop6 (resolv/inet_ntop.c), step for step.
char* put_v6(char* p, const unsigned char* a) {
  unsigned w[8];
  for (int i = 0; i < 8; ++i) w[i] = (unsigned{a[2 * i]} << 8) | a[2 * i + 1];
  int best_base = -1, best_len = 0, cur_base = -1, cur_len = 0;
  for (int i = 0; i < 8; ++i) {
    if (w[i] == 0) {
      if (cur_base == -1)
        cur_base = i, cur_len = 1;
      else
        ++cur_len;
    } else if (cur_base != -1) {
      if (best_base == -1 || cur_len > best_len) best_base = cur_base, best_len = cur_len;
      cur_base = -1;
    }
  }
  if (cur_base != -1 && (best_base == -1 || cur_len > best_len))
    best_base = cur_base, best_len = cur_len;
  if (best_base != -1 && best_len < 2) best_base = -1;
  for (int i = 0; i < 8; ++i) {
    if (best_base != -1 && i >= best_base && i < best_base + best_len) {
      if (i == best_base) *p++ = ':';
      continue;
    }
    if (i != 0) *p++ = ':';
    if (i == 6 && best_base == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)))
      return put_v4(p, a + 12);
    p = put_hex16(p, w[i]);
  }
  if (best_base != -1 && best_base + best_len == 8) *p++ = ':';
  return p;
}

}  // namespace

size_t addr_text(int family, const void* addr, char* out) {
  const auto* a = static_cast<const unsigned char*>(addr);
  char* end = out;
  if (family == AF_INET)
    end = put_v4(out, a);
  else if (family == AF_INET6)
    end = put_v6(out, a);
  *end = '\0';
  return static_cast<size_t>(end - out);
}

}  // namespace pktloss
