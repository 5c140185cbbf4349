#include "firewall/xt_save.h"
#include "firewall/xt_save_here.h"

// glibc's netinet/in.h before any linux/ header (xtables.h needs both).
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>

extern "C" {
#include <xtables.h>
}
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>

namespace pktloss {
namespace {

// The kernel is never asked which revisions it supports (that would open a legacy socket and may
// load ip_tables): the blob's own revision is what gets printed.
int any_revision(const char*, uint8_t, int) {
  return 1;
}

// The GNU attribute, not [[noreturn]]: clang requires it as part of the pointer type.
__attribute__((noreturn)) void child_exit_err(enum xtables_exittype, const char*, ...) {
  _exit(3);
}

void put_record(int fd, uint8_t status, const std::string& text) {
  uint32_t len = static_cast<uint32_t>(text.size());
  std::string rec(1, static_cast<char>(status));
  rec.append(reinterpret_cast<const char*>(&len), sizeof len);
  rec += text;
  size_t off = 0;
  while (off < rec.size()) {
    ssize_t n = write(fd, rec.data() + off, rec.size() - off);
    if (n <= 0) _exit(4);
    off += static_cast<size_t>(n);
  }
}

// Runs fn with stdout pointed at a memory stream (glibc's stdout is an assignable variable) and
// returns what it printed.
template <typename Fn>
std::string capture(Fn fn) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* mem = open_memstream(&buf, &len);
  if (!mem) return "";
  FILE* saved = stdout;
  stdout = mem;
  fn();
  fflush(mem);
  stdout = saved;
  fclose(mem);
  std::string out(buf ? buf : "", len);
  free(buf);
  return out;
}

}  // namespace

namespace {

// Blobs the kernel accepts but an extension's save callback cannot print (it reads past its own
// tables), found by fuzz/fuzz_xt_blob. In xt_save's child they would only cost a crashed child
// and a fresh fork; refusing them here keeps the other items in the first child and gives a
// reason instead of "exited on this rule".
const char* known_crash(const XtBlob& b, bool ip6) {
  if (b.kind == "target" && b.name == "REJECT" && b.info.size() >= sizeof(uint32_t)) {
    // The kernel accepts any reject-with value (it logs "not handled yet" for an unknown one);
    // lib{ipt,ip6t}_REJECT index their name table with it unchecked.
    uint32_t with;
    std::memcpy(&with, b.info.data(), sizeof with);
    if (with > (ip6 ? uint32_t{IP6T_ICMP6_REJECT_ROUTE} : uint32_t{IPT_ICMP_ADMIN_PROHIBITED}))
      return "REJECT with an unknown reject-with value, which libxt_REJECT cannot print";
  }
  if (b.kind == "match" && b.name == "tcp" && b.info.size() >= sizeof(xt_tcp)) {
    xt_tcp tcp;
    std::memcpy(&tcp, b.info.data(), sizeof tcp);
    // libxt_tcp's print_tcpf knows FIN..URG (0x3f) and walks off its name table on ECE/CWR.
    if ((tcp.flg_mask | tcp.flg_cmp) & ~0x3f)
      return "tcp match with ECE/CWR flags, which libxt_tcp cannot print";
  }
  return nullptr;
}

}  // namespace

XtSaved xt_save_here(const XtSaveItem& it, bool ip6) {
  auto fail = [](std::string why) {
    XtSaved r;
    r.error = std::move(why);
    return r;
  };
  auto done = [](bool ok, std::string text) {
    XtSaved r;
    r.ok = ok;
    (ok ? r.text : r.error) = std::move(text);
    return r;
  };
  // The rule header the callbacks see: iptables-save passes &e->ip / &e->ipv6.
  ipt_ip ip4{};
  ip6t_ip6 ip6h{};
  ip4.proto = it.proto;
  ip4.invflags = it.invflags;
  ip6h.proto = it.proto;
  ip6h.invflags = it.invflags;
  if (it.proto) ip6h.flags |= IP6T_F_PROTO;
  const void* ip = ip6 ? static_cast<const void*>(&ip6h) : static_cast<const void*>(&ip4);
  const std::string& name = it.blob.name;
  if (name.size() >= XT_EXTENSION_MAXNAMELEN) return fail("name too long");
  if (name.find('\0') != std::string::npos) return fail("name with a NUL byte");
  // The entry's size field is 16 bits.
  if (it.blob.info.size() > 0xffff - sizeof(xt_entry_target)) return fail("blob too large");
  auto short_blob = [&](const char* kind, size_t want) {
    return fail(std::string(kind) + " " + name + " blob has " +
                std::to_string(it.blob.info.size()) + " bytes, its extension reads " +
                std::to_string(want));
  };

  if (it.blob.kind == "match") {
    std::vector<uint8_t> buf(sizeof(xt_entry_match) + it.blob.info.size());
    auto* m = reinterpret_cast<xt_entry_match*>(buf.data());
    m->u.match_size = static_cast<uint16_t>(buf.size());
    std::memcpy(m->u.user.name, name.c_str(), name.size() + 1);
    m->u.user.revision = static_cast<uint8_t>(it.blob.revision);
    if (!it.blob.info.empty()) std::memcpy(m->data, it.blob.info.data(), it.blob.info.size());
    xtables_match* match = xtables_find_match(name.c_str(), XTF_TRY_LOAD, nullptr);
    if (!match) return fail("no libxtables extension for match " + name);
    xtables_match* mt =
        xtables_find_match_revision(name.c_str(), XTF_TRY_LOAD, match, m->u.user.revision);
    xtables_match* mt2 = mt ? mt : match;
    if (mt && it.blob.info.size() < mt->size) return short_blob("match", mt->size);
    if (const char* why = known_crash(it.blob, ip6)) return fail(why);
    std::string text = capture([&] {
      printf(" -m %s", mt2->alias ? mt2->alias(m) : name.c_str());
      if (mt && mt->save)
        mt->save(ip, m);
      else if (match->save)
        printf(" [unsupported revision]");
    });
    return done(mt != nullptr, mt ? text : "unsupported revision of match " + name);
  }

  std::vector<uint8_t> buf(sizeof(xt_entry_target) + it.blob.info.size());
  auto* t = reinterpret_cast<xt_entry_target*>(buf.data());
  t->u.target_size = static_cast<uint16_t>(buf.size());
  std::memcpy(t->u.user.name, name.c_str(), name.size() + 1);
  t->u.user.revision = static_cast<uint8_t>(it.blob.revision);
  if (!it.blob.info.empty()) std::memcpy(t->data, it.blob.info.data(), it.blob.info.size());
  xtables_target* target = xtables_find_target(name.c_str(), XTF_TRY_LOAD);
  if (!target) return fail("no libxtables extension for target " + name);
  xtables_target* tg =
      xtables_find_target_revision(name.c_str(), XTF_TRY_LOAD, target, t->u.user.revision);
  xtables_target* tg2 = tg ? tg : target;
  std::string jump = it.jump_name.empty() ? name : it.jump_name;
  if (!(tg && tg->save) && !target->save && !it.blob.info.empty())
    return fail("target " + name + " has no save function");
  if (tg && it.blob.info.size() < tg->size) return short_blob("target", tg->size);
  if (const char* why = known_crash(it.blob, ip6)) return fail(why);
  std::string text = capture([&] {
    printf(" -j %s", tg2->alias ? tg2->alias(t) : jump.c_str());
    if (tg && tg->save)
      tg->save(ip, t);
    else if (target->save)
      printf(" [unsupported revision]");
  });
  return done(tg != nullptr, tg ? text : "unsupported revision of target " + name);
}

namespace {

// In the child. status 1: ok, 0: not printed (text = reason).
void save_one(int fd, const XtSaveItem& it, bool ip6) {
  XtSaved r = xt_save_here(it, ip6);
  put_record(fd, r.ok ? 1 : 0, r.ok ? r.text : r.error);
}

[[noreturn]] void child_main(int fd, const std::vector<XtSaveItem>& items, bool ip6) {
  // Inherited stdio buffers must never reach the parent's stdout or stderr.
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
  }
  static xtables_globals globals{};
  globals.program_name = ip6 ? "ip6tables" : "iptables";
  globals.program_version = XTABLES_VERSION;
  globals.exit_err = child_exit_err;
  globals.compat_rev = any_revision;
  if (xtables_init_all(&globals, ip6 ? NFPROTO_IPV6 : NFPROTO_IPV4) < 0) _exit(5);
  for (const auto& it : items) save_one(fd, it, ip6);
  _exit(0);
}

bool read_all(int fd, std::string& out, std::chrono::milliseconds budget) {
  auto deadline = std::chrono::steady_clock::now() + budget;
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
    out.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

std::vector<XtSaved> xt_save(const std::vector<XtSaveItem>& items, const std::string& family) {
  std::vector<XtSaved> out(items.size());
  if (items.empty()) return out;
  auto fail_all = [&](const std::string& why) {
    for (auto& o : out)
      if (!o.ok && o.error.empty()) o.error = why;
    return out;
  };
  // One child at a time: fork from many threads at once would only multiply the cost.
  static std::mutex mu;
  std::unique_lock<std::mutex> lock(mu);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return fail_all("libxtables: pipe failed");
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return fail_all("libxtables: fork failed");
  }
  if (pid == 0) {
    close(fds[0]);
    child_main(fds[1], items, family == "ip6");
  }
  close(fds[1]);
  std::string data;
  bool complete = read_all(fds[0], data, std::chrono::milliseconds(5000));
  close(fds[0]);
  if (!complete) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  size_t off = 0, i = 0;
  while (i < items.size() && off + 5 <= data.size()) {
    uint8_t st = static_cast<uint8_t>(data[off]);
    uint32_t len = 0;
    std::memcpy(&len, data.data() + off + 1, sizeof len);
    if (off + 5 + len > data.size()) break;
    std::string text = data.substr(off + 5, len);
    off += 5 + len;
    if (st == 1) {
      out[i].ok = true;
      out[i].text = std::move(text);
    } else {
      out[i].error = std::move(text);
    }
    ++i;
  }
  if (i < items.size()) {
    // The extension of item i made the child exit or hang: it is the one to blame; the items
    // after it get a fresh child.
    out[i].error = complete ? "libxtables extension " + items[i].blob.name + " exited on this rule"
                            : "libxtables extension " + items[i].blob.name + " timed out";
    std::vector<XtSaveItem> rest(items.begin() + static_cast<long>(i) + 1, items.end());
    std::vector<XtSaved> more;
    if (!rest.empty() && complete) {
      // Recursion depth is bounded by the number of misbehaving items.
      lock.unlock();
      more = xt_save(rest, family);
      lock.lock();
      for (size_t j = 0; j < more.size(); ++j) out[i + 1 + j] = more[j];
    } else {
      fail_all(out[i].error);
    }
  }
  return out;
}

}  // namespace pktloss
