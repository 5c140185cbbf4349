#pragma once
// A shared library opened on first use instead of at process start (dlopen), for libraries only
// some commands need (libpcap, libbpf, libnftables): start-up then maps and relocates none of
// them (bench/startup.sh). Each *_lazy.cpp defines the library's functions with
// PKTLOSS_LAZY_FUNCTION, so callers keep the library's own API and headers.
#include <mutex>
#include <string>
#include <type_traits>

namespace pktloss {

class LazyLibrary {
 public:
  // own_handle: symbols come from this library (RTLD_LOCAL). next_in_chain: opened RTLD_GLOBAL
  // and looked up with RTLD_NEXT, so an LD_PRELOAD wrapper of the library still comes first.
  enum class Lookup { own_handle, next_in_chain };

  // `soname` as dlopen() wants it; `what` names the library in the error ("libpcap").
  LazyLibrary(const char* soname, const char* what, Lookup lookup)
      : soname_(soname), what_(what), lookup_(lookup) {}

  // The function's address, or nullptr when the library or the symbol is missing.
  void* symbol(const char* name);
  // Why the library could not be opened ("cannot load libpcap: …"); empty once it is open.
  const std::string& error();

 private:
  void open();

  const char* soname_;
  const char* what_;
  Lookup lookup_;
  std::once_flag once_;
  void* handle_ = nullptr;
  std::string error_;
};

// What a lazily defined function returns when its library is missing: nothing, nullptr, or the
// library's own error code.
template <typename R>
R lazy_failure_value(long code) {
  if constexpr (std::is_void_v<R>)
    return;
  else if constexpr (std::is_pointer_v<R>)
    return nullptr;
  else
    return static_cast<R>(code);
}

}  // namespace pktloss

// Defines `ret name params` to call the library's `name` (found once, on first call), or to
// return on_failure<ret>() when the library or the symbol is missing. The signature is checked
// against the library's header through decltype(&name).
#define PKTLOSS_LAZY_FUNCTION(library, on_failure, ret, name, params, args) \
  ret name params {                                                         \
    using Fn = decltype(&name);                                             \
    static Fn fn = reinterpret_cast<Fn>((library).symbol(#name));           \
    if (!fn) return on_failure<ret>();                                      \
    return fn args;                                                         \
  }
