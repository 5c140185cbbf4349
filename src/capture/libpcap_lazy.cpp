// Definitions of the libpcap functions pktloss calls, each resolving the real one from
// libpcap.so.0.8 on first call (util/lazy_library.h). libpcap is then not a
// DT_NEEDED of the binary: it and what it links (libdbus, libsystemd, libgcrypt, liblzma, liblz4,
// libcap, libgpg-error: 8 objects, ~1,000 symbol relocations) were loaded by every command at
// start-up, and only `capture` and `diagnose --capture` use them. Signatures come from <pcap.h>,
// so a mismatch does not compile.
#include <pcap/pcap.h>

#include <cstdio>

#include "util/lazy_library.h"

namespace pktloss {
namespace {

LazyLibrary& libpcap() {
  static LazyLibrary lib("libpcap.so.0.8", "libpcap", LazyLibrary::Lookup::own_handle);
  return lib;
}

template <typename R>
R failure() {
  return lazy_failure_value<R>(PCAP_ERROR);
}

}  // namespace
}  // namespace pktloss

#define PKTLOSS_LAZY(ret, name, params, args) \
  PKTLOSS_LAZY_FUNCTION(pktloss::libpcap(), pktloss::failure, ret, name, params, args)

extern "C" {
// The two entry points that open a handle say why when libpcap is missing; every other call
// needs a handle first.
pcap_t* pcap_create(const char* source, char* errbuf) {
  using Fn = decltype(&pcap_create);
  static Fn fn = reinterpret_cast<Fn>(pktloss::libpcap().symbol("pcap_create"));
  if (!fn) {
    if (errbuf) std::snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s", pktloss::libpcap().error().c_str());
    return nullptr;
  }
  return fn(source, errbuf);
}
PKTLOSS_LAZY(pcap_t*, pcap_open_dead_with_tstamp_precision, (int lt, int snap, u_int prec),
             (lt, snap, prec))
PKTLOSS_LAZY(int, pcap_activate, (pcap_t * p), (p))
PKTLOSS_LAZY(void, pcap_close, (pcap_t * p), (p))
PKTLOSS_LAZY(int, pcap_compile,
             (pcap_t * p, struct bpf_program* fp, const char* s, int opt, bpf_u_int32 mask),
             (p, fp, s, opt, mask))
PKTLOSS_LAZY(int, pcap_datalink, (pcap_t * p), (p))
PKTLOSS_LAZY(const char*, pcap_datalink_val_to_description, (int dlt), (dlt))
PKTLOSS_LAZY(const char*, pcap_datalink_val_to_name, (int dlt), (dlt))
PKTLOSS_LAZY(int, pcap_dispatch, (pcap_t * p, int cnt, pcap_handler cb, u_char* user),
             (p, cnt, cb, user))
PKTLOSS_LAZY(void, pcap_dump, (u_char * d, const struct pcap_pkthdr* h, const u_char* sp),
             (d, h, sp))
PKTLOSS_LAZY(void, pcap_dump_close, (pcap_dumper_t * d), (d))
PKTLOSS_LAZY(pcap_dumper_t*, pcap_dump_open, (pcap_t * p, const char* f), (p, f))
PKTLOSS_LAZY(void, pcap_freecode, (struct bpf_program * fp), (fp))
PKTLOSS_LAZY(int, pcap_get_selectable_fd, (pcap_t * p), (p))
PKTLOSS_LAZY(char*, pcap_geterr, (pcap_t * p), (p))
PKTLOSS_LAZY(int, pcap_set_buffer_size, (pcap_t * p, int n), (p, n))
PKTLOSS_LAZY(int, pcap_set_immediate_mode, (pcap_t * p, int on), (p, on))
PKTLOSS_LAZY(int, pcap_set_promisc, (pcap_t * p, int on), (p, on))
PKTLOSS_LAZY(int, pcap_set_snaplen, (pcap_t * p, int n), (p, n))
PKTLOSS_LAZY(int, pcap_set_tstamp_precision, (pcap_t * p, int prec), (p, prec))
PKTLOSS_LAZY(int, pcap_setfilter, (pcap_t * p, struct bpf_program* fp), (p, fp))
PKTLOSS_LAZY(int, pcap_setnonblock, (pcap_t * p, int nb, char* errbuf), (p, nb, errbuf))
PKTLOSS_LAZY(int, pcap_stats, (pcap_t * p, struct pcap_stat* ps), (p, ps))
}
