// The kfree_skb tracepoint's shape (issue 10: a clear degraded note on a kernel without drop
// reasons): the tp_btf signature from hand-built BTF (2 arguments before Linux 5.17, 3 with the
// reason, 4 with rx_sk from 6.11) and the classic tracepoint's format text of 5.10, 6.1 and 6.12.
#include <bpf/btf.h>
#include <gtest/gtest.h>
#include <linux/btf.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "trace/kfree_skb_shape.h"

namespace pktloss {
namespace {

// Raw BTF: int, void*, a func proto `void (void*, void*...)` with `params` parameters (the
// context first), a pointer to it and `typedef ... btf_trace_kfree_skb` (as the kernel's
// DEFINE_EVENT emits it), or a typedef of another name.
std::vector<uint8_t> tracepoint_btf(int params, const char* typedef_name = "btf_trace_kfree_skb") {
  std::string strings = std::string("\0int\0", 5) + typedef_name + '\0';
  std::vector<uint32_t> types = {
      1, BTF_KIND_INT << 24,
      4, (BTF_INT_SIGNED << 24) | 32,  // [1] int
      0, BTF_KIND_PTR << 24,
      0,  // [2] void *
      0, (BTF_KIND_FUNC_PROTO << 24) | static_cast<uint32_t>(params),
      0,  // [3] void (...)
  };
  for (int i = 0; i < params; i++) {
    types.push_back(0);                 // unnamed parameter
    types.push_back(i == 2 ? 1u : 2u);  // void *, except the reason (an int-sized enum)
  }
  types.insert(types.end(), {0, BTF_KIND_PTR << 24, 3});      // [4] pointer to [3]
  types.insert(types.end(), {5, BTF_KIND_TYPEDEF << 24, 4});  // [5] typedef -> [4]
  btf_header h{};
  h.magic = BTF_MAGIC;
  h.version = BTF_VERSION;
  h.hdr_len = sizeof(h);
  h.type_off = 0;
  h.type_len = static_cast<uint32_t>(types.size() * 4);
  h.str_off = h.type_len;
  h.str_len = static_cast<uint32_t>(strings.size());
  std::vector<uint8_t> out(sizeof(h) + h.type_len + h.str_len);
  std::memcpy(out.data(), &h, sizeof(h));
  std::memcpy(out.data() + sizeof(h), types.data(), h.type_len);
  std::memcpy(out.data() + sizeof(h) + h.type_len, strings.data(), h.str_len);
  return out;
}

int args_of(const std::vector<uint8_t>& raw) {
  struct btf* b = btf__new(raw.data(), static_cast<__u32>(raw.size()));
  if (!b) return -100;  // does not parse: a bug in the test's BTF
  int n = kfree_skb_btf_args(b);
  btf__free(b);
  return n;
}

TEST(KfreeSkbShape, TpBtfSignatureCountsTheArgumentsAfterTheContext) {
  EXPECT_EQ(args_of(tracepoint_btf(3)), 2);  // (ctx, skb, location): before 5.17
  EXPECT_EQ(args_of(tracepoint_btf(4)), 3);  // + reason: 5.17 .. 6.10 (Debian 12's 6.1)
  EXPECT_EQ(args_of(tracepoint_btf(5)), 4);  // + rx_sk: 6.11 and later (6.12, 6.18)
  EXPECT_EQ(args_of(tracepoint_btf(4, "btf_trace_consume_skb")), -1);  // no kfree_skb typedef
  EXPECT_EQ(kfree_skb_btf_args(nullptr), -1);
}

TEST(KfreeSkbShape, FormatFileSaysWhetherThereIsAReasonField) {
  // Linux 5.10 (Debian 11): skbaddr, location, protocol; no reason.
  const std::string v510 =
      "name: kfree_skb\nID: 1371\nformat:\n"
      "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
      "\tfield:void * skbaddr;\toffset:8;\tsize:8;\tsigned:0;\n"
      "\tfield:void * location;\toffset:16;\tsize:8;\tsigned:0;\n"
      "\tfield:unsigned short protocol;\toffset:24;\tsize:2;\tsigned:0;\n\n"
      "print fmt: \"skbaddr=%p protocol=%u location=%p\", REC->skbaddr, REC->protocol, "
      "REC->location\n";
  // Debian 12's 6.1, as read in the VM lab.
  const std::string v61 =
      "\tfield:void * skbaddr;\toffset:8;\tsize:8;\tsigned:0;\n"
      "\tfield:void * location;\toffset:16;\tsize:8;\tsigned:0;\n"
      "\tfield:unsigned short protocol;\toffset:24;\tsize:2;\tsigned:0;\n"
      "\tfield:enum skb_drop_reason reason;\toffset:28;\tsize:4;\tsigned:0;\n";
  EXPECT_EQ(kfree_skb_format_has_reason(v510), std::optional<bool>(false));
  EXPECT_EQ(kfree_skb_format_has_reason(v61), std::optional<bool>(true));
  std::ifstream f(std::string(PKTLOSS_FIXTURES) + "/trace/kfree_skb_format.txt");  // 6.18
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(kfree_skb_format_has_reason(ss.str()), std::optional<bool>(true));
  // "reason" inside another field's name or the print fmt is not the field.
  EXPECT_EQ(kfree_skb_format_has_reason("\tfield:int no_reason;\toffset:8;\n"
                                        "print fmt: \"reason: %s\", REC->reason"),
            std::optional<bool>(false));
  EXPECT_EQ(kfree_skb_format_has_reason(""), std::nullopt);
  EXPECT_EQ(kfree_skb_format_has_reason("field:void * skbaddr"), std::optional<bool>(false));
}

TEST(KfreeSkbShape, BtfDecidesThenTheFormatThenAssumeReasons) {
  EXPECT_FALSE(kfree_skb_has_reason(2, std::nullopt));
  EXPECT_TRUE(kfree_skb_has_reason(3, std::nullopt));
  EXPECT_TRUE(kfree_skb_has_reason(4, false));  // BTF is the kernel's own word
  EXPECT_FALSE(kfree_skb_has_reason(-1, false));
  EXPECT_TRUE(kfree_skb_has_reason(-1, true));
  EXPECT_TRUE(kfree_skb_has_reason(-1, std::nullopt));
  EXPECT_NE(std::string(kNoDropReasonNote).find("no drop reason"), std::string::npos);
}

}  // namespace
}  // namespace pktloss
