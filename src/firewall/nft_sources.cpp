#include "firewall/nft_sources.h"

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <nftables/libnftables.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <vector>

namespace pktloss {
namespace {

std::string first_line(const char* s) {
  std::string t = s ? s : "";
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  auto nl = t.find('\n');
  return nl == std::string::npos ? t : t.substr(0, nl);
}

const char* family_name(uint32_t f) {
  switch (f) {
    case NFPROTO_IPV4:
      return "ip";
    case NFPROTO_IPV6:
      return "ip6";
    case NFPROTO_INET:
      return "inet";
    case NFPROTO_ARP:
      return "arp";
    case NFPROTO_BRIDGE:
      return "bridge";
    case NFPROTO_NETDEV:
      return "netdev";
    default:
      return "unknown";
  }
}

struct MnlSocket {
  mnl_socket* s = nullptr;
  ~MnlSocket() {
    if (s) mnl_socket_close(s);
  }
};

// One NFNETLINK dump; cb is called for every message. The buffer is large enough for the
// biggest message the kernel batches into one read.
bool dump(mnl_socket* nl, uint16_t type, mnl_cb_t cb, void* data, std::string& error) {
  std::vector<char> buf(1 << 17);
  uint32_t seq = static_cast<uint32_t>(time(nullptr));
  nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf.data(), type, NFPROTO_UNSPEC, NLM_F_DUMP, seq);
  if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
    error = std::string("netlink send: ") + strerror(errno);
    return false;
  }
  uint32_t portid = mnl_socket_get_portid(nl);
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(nl, buf.data(), buf.size());
    if (n < 0) {
      error = std::string("netlink receive: ") + strerror(errno);
      return false;
    }
    int ret = mnl_cb_run(buf.data(), n, seq, portid, cb, data);
    if (ret == MNL_CB_STOP) return true;
    if (ret < 0) {
      error = std::string("netlink dump: ") + strerror(errno);
      return false;
    }
  }
}

struct ExprWalk {
  std::vector<XtBlob>* out;
};

int on_expr(nftnl_expr* e, void* data) {
  auto* w = static_cast<ExprWalk*>(data);
  const char* name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
  if (!name) return MNL_CB_OK;
  bool match = std::strcmp(name, "match") == 0, target = std::strcmp(name, "target") == 0;
  if (!match && !target) return MNL_CB_OK;
  XtBlob b;
  b.kind = match ? "match" : "target";
  const char* n =
      nftnl_expr_get_str(e, match ? uint16_t(NFTNL_EXPR_MT_NAME) : uint16_t(NFTNL_EXPR_TG_NAME));
  b.name = n ? n : "";
  b.revision =
      nftnl_expr_get_u32(e, match ? uint16_t(NFTNL_EXPR_MT_REV) : uint16_t(NFTNL_EXPR_TG_REV));
  uint32_t len = 0;
  const void* info =
      nftnl_expr_get(e, match ? uint16_t(NFTNL_EXPR_MT_INFO) : uint16_t(NFTNL_EXPR_TG_INFO), &len);
  if (info && len) {
    const auto* p = static_cast<const uint8_t*>(info);
    b.info.assign(p, p + len);
  }
  w->out->push_back(std::move(b));
  return MNL_CB_OK;
}

int on_rule(const nlmsghdr* nlh, void* data) {
  auto* raw = static_cast<NftRawFacts*>(data);
  std::unique_ptr<nftnl_rule, void (*)(const nftnl_rule*)> r(nftnl_rule_alloc(), nftnl_rule_free);
  if (!r || nftnl_rule_nlmsg_parse(nlh, r.get()) < 0) return MNL_CB_OK;  // skip malformed
  std::vector<XtBlob> blobs;
  ExprWalk w{&blobs};
  nftnl_expr_foreach(r.get(), on_expr, &w);
  if (blobs.empty()) return MNL_CB_OK;
  const char* table = nftnl_rule_get_str(r.get(), NFTNL_RULE_TABLE);
  const char* chain = nftnl_rule_get_str(r.get(), NFTNL_RULE_CHAIN);
  if (!table || !chain) return MNL_CB_OK;
  raw->rule_xt[nft_rule_key(family_name(nftnl_rule_get_u32(r.get(), NFTNL_RULE_FAMILY)), table,
                            chain, nftnl_rule_get_u64(r.get(), NFTNL_RULE_HANDLE))] =
      std::move(blobs);
  return MNL_CB_OK;
}

int on_chain(const nlmsghdr* nlh, void* data) {
  auto* raw = static_cast<NftRawFacts*>(data);
  std::unique_ptr<nftnl_chain, void (*)(const nftnl_chain*)> c(nftnl_chain_alloc(),
                                                               nftnl_chain_free);
  if (!c || nftnl_chain_nlmsg_parse(nlh, c.get()) < 0) return MNL_CB_OK;
  if (!nftnl_chain_is_set(c.get(), NFTNL_CHAIN_PACKETS)) return MNL_CB_OK;
  const char* table = nftnl_chain_get_str(c.get(), NFTNL_CHAIN_TABLE);
  const char* name = nftnl_chain_get_str(c.get(), NFTNL_CHAIN_NAME);
  if (!table || !name) return MNL_CB_OK;
  ChainCounters cc;
  cc.packets = nftnl_chain_get_u64(c.get(), NFTNL_CHAIN_PACKETS);
  cc.bytes = nftnl_chain_get_u64(c.get(), NFTNL_CHAIN_BYTES);
  raw->chain_counters[nft_chain_key(family_name(nftnl_chain_get_u32(c.get(), NFTNL_CHAIN_FAMILY)),
                                    table, name)] = cc;
  return MNL_CB_OK;
}

}  // namespace

namespace {

// `nft list ruleset` through libnftables with the given output flags, into a string.
std::optional<std::string> list_ruleset(unsigned flags, std::string& error) {
  std::unique_ptr<nft_ctx, void (*)(nft_ctx*)> ctx(nft_ctx_new(NFT_CTX_DEFAULT), nft_ctx_free);
  if (!ctx) {
    error = "nftables: cannot create a libnftables context";
    return std::nullopt;
  }
  nft_ctx_output_set_flags(ctx.get(), flags);
  if (nft_ctx_buffer_output(ctx.get()) || nft_ctx_buffer_error(ctx.get())) {
    error = "nftables: cannot buffer libnftables output";
    return std::nullopt;
  }
  if (nft_run_cmd_from_buffer(ctx.get(), "list ruleset") != 0) {
    std::string why = first_line(nft_ctx_get_error_buffer(ctx.get()));
    error = "nftables: list ruleset failed" + (why.empty() ? std::string() : ": " + why);
    return std::nullopt;
  }
  const char* out = nft_ctx_get_output_buffer(ctx.get());
  return std::string(out ? out : "");
}

}  // namespace

std::optional<std::string> nft_list_ruleset_json(std::string& error) {
  return list_ruleset(NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE, error);
}

std::optional<std::string> nft_list_ruleset_text(std::string& error) {
  // `nft -a -s list ruleset`: handles to match the JSON rules, no counter values (those come
  // from the JSON, and would make the text differ between two snapshots).
  return list_ruleset(NFT_CTX_OUTPUT_HANDLE | NFT_CTX_OUTPUT_STATELESS, error);
}

bool nftnl_raw_facts(bool want_xt, NftRawFacts& out, std::string& error) {
  MnlSocket nl;
  nl.s = mnl_socket_open(NETLINK_NETFILTER);
  if (!nl.s || mnl_socket_bind(nl.s, 0, MNL_SOCKET_AUTOPID) < 0) {
    error = std::string("nfnetlink socket: ") + strerror(errno);
    return false;
  }
  if (!dump(nl.s, NFT_MSG_GETCHAIN, on_chain, &out, error)) return false;
  if (want_xt && !dump(nl.s, NFT_MSG_GETRULE, on_rule, &out, error)) return false;
  return true;
}

}  // namespace pktloss
