// Definitions of the libbpf functions pktloss calls, each resolving the real one from
// libbpf.so.1 on first call. The program links these instead of libbpf (so libbpf is not a
// DT_NEEDED of the binary); the signatures come from libbpf's own headers, so a mismatch does
// not compile.
#include "trace/libbpf_lazy.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cerrno>

#include "util/lazy_library.h"

namespace pktloss {
namespace {

LazyLibrary& libbpf() {
  static LazyLibrary lib("libbpf.so.1", "libbpf", LazyLibrary::Lookup::own_handle);
  return lib;
}

// libbpf's own convention: a negative errno, and errno set.
template <typename R>
R failure() {
  errno = ENOSYS;
  return lazy_failure_value<R>(-ENOSYS);
}

}  // namespace

bool libbpf_loaded(std::string& why) {
  if (libbpf().symbol("libbpf_set_print")) return true;
  why = libbpf().error().empty() ? "libbpf.so.1 has no libbpf_set_print" : libbpf().error();
  return false;
}

}  // namespace pktloss

#define PKTLOSS_LAZY(ret, name, params, args) \
  PKTLOSS_LAZY_FUNCTION(pktloss::libbpf(), pktloss::failure, ret, name, params, args)

extern "C" {
PKTLOSS_LAZY(int, bpf_map__fd, (const struct bpf_map* m), (m))
PKTLOSS_LAZY(int, bpf_map__lookup_elem,
             (const struct bpf_map* m, const void* k, size_t ks, void* v, size_t vs, __u64 f),
             (m, k, ks, v, vs, f))
PKTLOSS_LAZY(int, bpf_map__update_elem,
             (const struct bpf_map* m, const void* k, size_t ks, const void* v, size_t vs, __u64 f),
             (m, k, ks, v, vs, f))
PKTLOSS_LAZY(int, bpf_map_get_next_key, (int fd, const void* k, void* n), (fd, k, n))
PKTLOSS_LAZY(int, bpf_map_lookup_elem, (int fd, const void* k, void* v), (fd, k, v))
PKTLOSS_LAZY(int, bpf_prog_get_fd_by_id, (__u32 id), (id))
PKTLOSS_LAZY(const char*, libbpf_bpf_prog_type_str, (enum bpf_prog_type t), (t))
PKTLOSS_LAZY(int, bpf_obj_get_info_by_fd, (int fd, void* info, __u32* len), (fd, info, len))
PKTLOSS_LAZY(int, bpf_object__open_skeleton,
             (struct bpf_object_skeleton * s, const struct bpf_object_open_opts* o), (s, o))
PKTLOSS_LAZY(int, bpf_object__load_skeleton, (struct bpf_object_skeleton * s), (s))
PKTLOSS_LAZY(int, bpf_object__attach_skeleton, (struct bpf_object_skeleton * s), (s))
PKTLOSS_LAZY(void, bpf_object__detach_skeleton, (struct bpf_object_skeleton * s), (s))
PKTLOSS_LAZY(void, bpf_object__destroy_skeleton, (struct bpf_object_skeleton * s), (s))
PKTLOSS_LAZY(int, bpf_program__fd, (const struct bpf_program* p), (p))
PKTLOSS_LAZY(int, bpf_program__set_autoload, (struct bpf_program * p, bool a), (p, a))
PKTLOSS_LAZY(__s32, btf__find_by_name_kind, (const struct btf* b, const char* n, __u32 k),
             (b, n, k))
PKTLOSS_LAZY(void, btf__free, (struct btf * b), (b))
PKTLOSS_LAZY(struct btf*, btf__load_vmlinux_btf, (void), ())
PKTLOSS_LAZY(struct btf*, btf__parse, (const char* path, struct btf_ext** ext), (path, ext))
PKTLOSS_LAZY(struct btf*, btf__new, (const void* d, __u32 n), (d, n))
PKTLOSS_LAZY(const char*, btf__name_by_offset, (const struct btf* b, __u32 o), (b, o))
PKTLOSS_LAZY(const struct btf_type*, btf__type_by_id, (const struct btf* b, __u32 id), (b, id))
PKTLOSS_LAZY(int, libbpf_num_possible_cpus, (void), ())
PKTLOSS_LAZY(libbpf_print_fn_t, libbpf_set_print, (libbpf_print_fn_t f), (f))
PKTLOSS_LAZY(int, ring_buffer__consume, (struct ring_buffer * r), (r))
PKTLOSS_LAZY(void, ring_buffer__free, (struct ring_buffer * r), (r))
PKTLOSS_LAZY(struct ring_buffer*, ring_buffer__new,
             (int fd, ring_buffer_sample_fn cb, void* ctx, const struct ring_buffer_opts* o),
             (fd, cb, ctx, o))
}
