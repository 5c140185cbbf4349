#include "util/lazy_library.h"

#include <dlfcn.h>

namespace pktloss {

void LazyLibrary::open() {
  std::call_once(once_, [this] {
    bool chained = lookup_ == Lookup::next_in_chain;
    handle_ = dlopen(soname_, RTLD_NOW | (chained ? RTLD_GLOBAL : RTLD_LOCAL));
    if (!handle_) {
      const char* e = dlerror();
      error_ = std::string("cannot load ") + what_ + ": " + (e ? e : "unknown error");
    }
  });
}

void* LazyLibrary::symbol(const char* name) {
  open();
  if (lookup_ == Lookup::next_in_chain) return dlsym(RTLD_NEXT, name);
  return handle_ ? dlsym(handle_, name) : nullptr;
}

const std::string& LazyLibrary::error() {
  open();
  return error_;
}

}  // namespace pktloss
