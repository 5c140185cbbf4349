#!/usr/bin/env python3
"""Writes the checked-in seed corpora (fuzz/corpus/TARGET/) from real data of this host: its /proc
text, and the netlink dumps, nftables JSON and kallsyms of a throw-away namespace (pfz-seed-PID)
set up with veths, qdiscs of several kinds, routes, neighbours, sockets and firewall rules. Seeds
the kernel cannot give (netem on a kernel without it, BTF, xt blobs, probe answers) are packed
here from the uapi layouts. Run as root from the repository root: fuzz/tools/collect_seeds.py
Each seed stays small (a few KB) so the corpus is cheap to keep in git."""
import os, socket, struct, subprocess, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus")
NS = "pfz-seed-%d" % os.getpid()


def put(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data[:6000])


def sh(*cmd, check=True):
    r = subprocess.run(cmd, check=check, capture_output=True)
    return r.stdout if r.returncode == 0 else None


def nsexec(*cmd, check=True):
    return sh("ip", "netns", "exec", NS, *cmd, check=check)


# --- netlink dumps (in the namespace: this script re-runs itself there with --dump) ---------
NLM_F_REQUEST, NLM_F_DUMP = 1, 0x300
RTM_GETLINK, RTM_GETROUTE, RTM_GETNEIGH, RTM_GETQDISC, RTM_GETNETCONF = 18, 26, 30, 38, 82


def dump(proto, msg_type, payload):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, proto)
    s.settimeout(2)
    hdr = struct.pack("=IHHII", 16 + len(payload), msg_type, NLM_F_REQUEST | NLM_F_DUMP, 1, 0)
    s.send(hdr + payload)
    msgs = []
    while True:
        buf = s.recv(1 << 16)
        off = 0
        while off + 16 <= len(buf):
            ln, typ = struct.unpack_from("=IH", buf, off)
            if typ == 3 or typ == 2:  # DONE / ERROR
                return msgs
            msgs.append(buf[off:off + ln])
            off += (ln + 3) & ~3


def dump_main():
    out = {}
    out["link"] = dump(0, RTM_GETLINK, struct.pack("=BxHiII", 0, 0, 0, 0, 0))
    out["qdisc"] = dump(0, RTM_GETQDISC, struct.pack("=BxxxiIII", 0, 0, 0, 0, 0))
    out["route"] = dump(0, RTM_GETROUTE, struct.pack("=BBBBBBBBI", socket.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0))
    out["route6"] = dump(0, RTM_GETROUTE, struct.pack("=BBBBBBBBI", socket.AF_INET6, 0, 0, 0, 0, 0, 0, 0, 0))
    out["neigh"] = dump(0, RTM_GETNEIGH, struct.pack("=BxxxiHBB", socket.AF_INET, 0, 0, 0, 0))
    out["netconf"] = dump(0, RTM_GETNETCONF, struct.pack("=Bxxx", socket.AF_INET))
    # sock_diag: inet_diag_req_v2 for TCP and UDP, all states, with SK_MEMINFO (ext bit 1<<(4-1)).
    req = lambda proto: struct.pack("=BBBxI", socket.AF_INET, proto, 1 << 3, 0xffffffff) + bytes(48)
    out["diag_tcp"] = dump(4, 20, req(socket.IPPROTO_TCP))
    out["diag_udp"] = dump(4, 20, req(socket.IPPROTO_UDP))
    for k, msgs in out.items():
        for i, m in enumerate(msgs[:12]):
            sys.stdout.buffer.write(struct.pack("=I", len(k)) + k.encode() + struct.pack("=I", len(m)) + m)


PICK = {"link": 0, "qdisc": 1, "route": 2, "route6": 2, "neigh": 3, "netconf": 4}


def netlink_seeds():
    raw = nsexec(sys.executable, os.path.abspath(__file__), "--dump")
    off, n = 0, {}
    while off < len(raw):
        (kl,) = struct.unpack_from("=I", raw, off); off += 4
        k = raw[off:off + kl].decode(); off += kl
        (ml,) = struct.unpack_from("=I", raw, off); off += 4
        m = raw[off:off + ml]; off += ml
        n[k] = n.get(k, 0) + 1
        if k.startswith("diag"):
            # fuzz_rtnl_parse: pick 5; nlmsg_flags bit 0 chooses UDP.
            flags = 1 if k == "diag_udp" else 0
            m = m[:6] + struct.pack("=H", flags) + m[8:]
            put("fuzz_rtnl_parse", "%s-%02d" % (k, n[k]), bytes([5]) + m)
        else:
            put("fuzz_rtnl_parse", "%s-%02d" % (k, n[k]), bytes([PICK[k]]) + m)


def attr(t, payload):
    ln = 4 + len(payload)
    return struct.pack("=HH", ln, t) + payload + bytes((-ln) % 4)


def netem_seed():
    # RTM_NEWQDISC with kind netem: TCA_OPTIONS = struct tc_netem_qopt then nested attributes
    # (TCA_NETEM_CORR, TCA_NETEM_LOSS {NETEM_LOSS_GI}, TCA_NETEM_RATE, TCA_NETEM_LATENCY64).
    tcm = struct.pack("=BxxxiIII", 0, 2, 0x10000, 0xffffffff, 1)
    qopt = struct.pack("=IIIIII", 100000, 1000, 429496729, 0, 5, 0)  # latency limit loss gap dup jitter
    nested = attr(1, struct.pack("=III", 0, 0, 0))  # TCA_NETEM_CORR
    nested += attr(5, attr(1, struct.pack("=IIIII", 1, 2, 3, 4, 5)))  # LOSS { GI }
    nested += attr(6, struct.pack("=IiiI", 125000, 0, 0, 0))  # RATE
    nested += attr(10, struct.pack("=q", 10_000_000))  # LATENCY64
    body = tcm + attr(1, b"netem\0") + attr(2, qopt + nested)
    msg = struct.pack("=IHHII", 16 + len(body), 36, 0, 0, 0) + body
    put("fuzz_rtnl_parse", "netem-crafted", bytes([1]) + msg)


def tfilter_seeds():
    # RTM_NEWTFILTER (pick 6): filters with the actions that drop (gact, its random variant,
    # police with a TBF, the legacy u32 police) and their TCA_ACT_STATS, packed from the uapi
    # layouts because the CI kernel has neither matchall nor act_gact nor act_police. The real
    # u32 dump of this kernel comes from netlink_seeds().
    def stats2(pkts, drops):
        basic = struct.pack("=QI", pkts * 100, pkts) + bytes(4)  # gnet_stats_basic (padded)
        queue = struct.pack("=IIIII", 0, 0, drops, 0, drops)    # qlen backlog drops requeues overlimits
        return attr(1, basic) + attr(3, queue) + attr(8, struct.pack("=Q", pkts))  # BASIC QUEUE PKT64

    def action(prio, kind, options):
        body = attr(1, kind.encode() + b"\0") + attr(2, options) + attr(4, stats2(1000, 300))
        body += attr(3, struct.pack("=I", 7))  # KIND OPTIONS STATS INDEX
        return attr(prio, body)

    tc_gen = struct.pack("=IIiii", 7, 0, 2, 1, 1)  # index capab action(TC_ACT_SHOT) refcnt bindcnt
    gact = attr(2, tc_gen) + attr(3, struct.pack("=HHi", 1, 3000, 2))  # PARMS, PROB netrand 30% drop
    ratespec = struct.pack("=BBHhHI", 0, 0, 0, 0, 0, 125000)
    # index action limit burst (1500 B at 1 MB/s, in 64 ns ticks) mtu rate peakrate refcnt...
    tbf = struct.pack("=IiIII", 7, 2, 125000, 23438, 0) + ratespec + bytes(12)
    tbf += struct.pack("=iiI", 0, 0, 0)
    police = attr(1, tbf) + attr(8, struct.pack("=Q", 1000000)) + attr(5, struct.pack("=I", 0))  # RATE64 RESULT

    def tfilter(kind, options, stats=b""):
        tcm = struct.pack("=BxxxiIII", 0, 2, 0x800 << 16 | 1, 0xFFFFFFF2, (1 << 16) | 0x0008)
        body = tcm + attr(1, kind.encode() + b"\0") + attr(2, options) + attr(11, struct.pack("=I", 0))
        if stats:
            body += attr(3, stats)
        msg = struct.pack("=IHHII", 16 + len(body), 44, 0, 0, 0) + body
        return bytes([6]) + msg

    acts = action(1, "gact", gact) + action(2, "police", police)
    put("fuzz_rtnl_parse", "tfilter-matchall", tfilter("matchall", attr(2, acts)))  # MATCHALL_ACT
    put("fuzz_rtnl_parse", "tfilter-flower", tfilter("flower", attr(3, action(1, "gact", gact))))
    legacy = attr(6, police) + attr(1, struct.pack("=I", 0x10001))  # U32_POLICE, CLASSID
    tc_stats = struct.pack("=QIIIIIII", 100000, 1000, 300, 300, 0, 0, 0, 0)
    put("fuzz_rtnl_parse", "tfilter-u32-police", tfilter("u32", legacy, tc_stats))
    bpf = attr(7, b"xdp_drop_prog\0") + attr(11, struct.pack("=I", 42)) + attr(8, struct.pack("=I", 1))
    put("fuzz_rtnl_parse", "tfilter-bpf", tfilter("bpf", bpf + attr(1, action(1, "gact", gact))))


def setup_namespace():
    sh("ip", "netns", "add", NS)
    nsexec("ip", "link", "set", "lo", "up")
    nsexec("ip", "link", "add", "pfa", "type", "veth", "peer", "name", "pfb")
    nsexec("ip", "link", "add", "pfbr", "type", "bridge")
    nsexec("ip", "link", "set", "pfb", "master", "pfbr")
    for d in ("pfa", "pfb", "pfbr"):
        nsexec("ip", "link", "set", d, "up")
    nsexec("ip", "addr", "add", "10.77.0.1/24", "dev", "pfa")
    nsexec("ip", "addr", "add", "fd77::1/64", "dev", "pfa")
    nsexec("ip", "route", "add", "blackhole", "10.99.0.0/16")
    nsexec("ip", "route", "add", "10.88.0.0/16", "via", "10.77.0.2", "table", "100")
    nsexec("ip", "neigh", "add", "10.77.0.9", "dev", "pfa", "lladdr", "02:00:00:00:00:09")
    nsexec("tc", "qdisc", "add", "dev", "pfa", "root", "handle", "1:", "htb", "default", "10")
    nsexec("tc", "class", "add", "dev", "pfa", "parent", "1:", "classid", "1:10", "htb", "rate", "10mbit")
    # Whatever kinds this kernel has (each optional).
    for kind in (["fq_codel"], ["sfq"], ["pfifo", "limit", "100"], ["fq"], ["codel"], ["red", "limit", "400000", "avpkt", "1000", "bandwidth", "10mbit"]):
        if nsexec("tc", "qdisc", "add", "dev", "pfa", "parent", "1:10", "handle", "10:", *kind, check=False) is not None:
            break
    nsexec("tc", "qdisc", "add", "dev", "pfb", "root", "tbf", "rate", "1mbit", "burst", "32kbit", "latency", "50ms")
    nsexec("tc", "qdisc", "add", "dev", "pfa", "ingress", check=False)
    nsexec("ip", "link", "add", "pfc", "type", "dummy", check=False)
    for kind in (["prio"], ["sfq"], ["pfifo_fast"], ["fq"]):
        nsexec("tc", "qdisc", "replace", "dev", "pfc", "root", *kind, check=False)
    nsexec("tc", "qdisc", "add", "dev", "pfbr", "root", "netem", "loss", "10%", check=False)
    nsexec("iptables-nft", "-A", "INPUT", "-p", "tcp", "--dport", "80", "-m", "statistic",
           "--mode", "random", "--probability", "0.3", "-j", "DROP")
    nsexec("iptables-nft", "-A", "INPUT", "-p", "tcp", "--dport", "81", "-j", "REJECT",
           "--reject-with", "tcp-reset")
    nsexec("iptables-nft", "-P", "FORWARD", "DROP")
    nsexec("nft", "add table inet pf; add chain inet pf in { type filter hook input priority 0; }; "
           "add rule inet pf in tcp dport 8080 numgen random mod 10 < 3 counter drop comment \"seed rule\"; "
           "add rule inet pf in ct state invalid counter drop; "
           "add rule inet pf in ip saddr { 10.1.0.0/16, 10.2.0.1 } udp dport 53 counter reject; "
           "add map inet pf vm { type inet_service : verdict; elements = { 22 : drop }; }; "
           "add rule inet pf in tcp dport vmap @vm")


def proc_seeds():
    rd = lambda p: open(p, "rb").read()
    put("fuzz_proc_text", "snmp", b"\0" + rd("/proc/net/snmp"))
    put("fuzz_proc_text", "netstat", b"\0" + rd("/proc/net/netstat"))
    put("fuzz_proc_text", "snmp6", b"\1" + rd("/proc/net/snmp6")[:2500])
    put("fuzz_proc_text", "softnet_stat", b"\2" + rd("/proc/net/softnet_stat"))
    put("fuzz_proc_text", "nf_conntrack", b"\3" + rd("/proc/net/stat/nf_conntrack"))
    put("fuzz_proc_text", "arp_cache", b"\4" + rd("/proc/net/stat/arp_cache"))
    put("fuzz_proc_text", "ndisc_cache", b"\4" + rd("/proc/net/stat/ndisc_cache"))
    put("fuzz_proc_text", "tcp_rmem", b"\5" + rd("/proc/sys/net/ipv4/tcp_rmem"))
    put("fuzz_proc_text", "hex", b"\6ffffffff81000000")
    put("fuzz_proc_text", "fd_link", b"\7" + os.readlink("/proc/self/fd/0").encode()
        if os.path.islink("/proc/self/fd/0") else b"\7socket:[12345]")
    put("fuzz_proc_text", "fd_socket", b"\7socket:[4026531840]")
    put("fuzz_proc_text", "netns_names", b"\x08netns/plsrv")
    put("fuzz_proc_text", "netns_pid", b"\x08pid/1234")


def nft_seeds():
    js = nsexec("nft", "-j", "list", "ruleset")
    text = nsexec("nft", "-a", "-s", "list", "ruleset")
    put("fuzz_nft_json", "ruleset-json-and-text", js + b"\0" + text)
    put("fuzz_nft_json", "ruleset-json", js)


def kallsyms_seeds():
    lines = open("/proc/kallsyms").read().splitlines()
    text = [l for l in lines if " t " in l or " T " in l]
    sample = text[:40] + [l for l in text if "kfree_skb" in l or "nft_do_chain" in l][:20] + \
        [l for l in text if "[" in l][:20]
    put("fuzz_kallsyms", "kallsyms", b"\0" + "\n".join(sample).encode() + b"\n")
    for p in ("/sys/kernel/tracing/events/skb/kfree_skb/format",
              "/sys/kernel/debug/tracing/events/skb/kfree_skb/format"):
        if os.path.exists(p):
            put("fuzz_kallsyms", "kfree_skb_format", b"\1" + open(p, "rb").read()[-5000:])
            break
    else:  # tracefs not mounted: the unit tests' copy of a real one
        fixture = os.path.join(os.path.dirname(ROOT), "..", "tests", "fixtures", "trace", "kfree_skb_format.txt")
        put("fuzz_kallsyms", "kfree_skb_format", b"\1" + open(fixture, "rb").read()[-5000:])
    # A minimal BTF blob: enum skb_drop_reason and enum skb_drop_reason_subsys.
    strs = b"\0skb_drop_reason\0SKB_DROP_REASON_NOT_SPECIFIED\0SKB_DROP_REASON_NO_SOCKET\0" \
           b"skb_drop_reason_subsys\0SKB_DROP_REASON_SUBSYS_OPENVSWITCH\0"
    off = lambda s: strs.index(b"\0" + s + b"\0") + 1
    types = struct.pack("=III", off(b"skb_drop_reason"), (6 << 24) | 2, 4)
    types += struct.pack("=Ii", off(b"SKB_DROP_REASON_NOT_SPECIFIED"), 2)
    types += struct.pack("=Ii", off(b"SKB_DROP_REASON_NO_SOCKET"), 3)
    types += struct.pack("=III", off(b"skb_drop_reason_subsys"), (6 << 24) | 1, 4)
    types += struct.pack("=Ii", off(b"SKB_DROP_REASON_SUBSYS_OPENVSWITCH"), 2)
    hdr = struct.pack("=HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(strs))
    put("fuzz_kallsyms", "btf_enum", b"\2" + hdr + types + strs)


def xt_seeds():
    def blob(sel, rev, proto, name, info):
        return bytes([sel, rev, proto]) + name + b"\0" + info
    # byte 0: bit0 target, bit1 ip6, bits 2+3 also through libxtables.
    put("fuzz_xt_blob", "statistic", blob(12, 0, 6, b"statistic",
        struct.pack("=HHIIIxxxxQ", 0, 0, 644245094, 0, 0, 0)))
    put("fuzz_xt_blob", "statistic_nth", blob(12, 0, 6, b"statistic",
        struct.pack("=HHIIIxxxxQ", 1, 0, 3, 0, 0, 0)))
    put("fuzz_xt_blob", "tcp", blob(12, 0, 6, b"tcp", struct.pack("=HHHHBBBBxxxx", 0, 65535, 80, 80, 0, 0, 0, 0)))
    put("fuzz_xt_blob", "udp", blob(12, 0, 17, b"udp", struct.pack("=HHHHBxxx", 0, 65535, 53, 53, 0)))
    put("fuzz_xt_blob", "multiport", blob(12, 1, 6, b"multiport",
        struct.pack("=BB", 1, 2) + struct.pack("=15H", 80, 443, *([0] * 13)) + bytes(15) + b"\0" + bytes(8)))
    put("fuzz_xt_blob", "comment", blob(12, 0, 0, b"comment", b"a \"quoted\"\ncomment".ljust(256, b"\0")))
    put("fuzz_xt_blob", "conntrack_state", blob(12, 0, 0, b"state", struct.pack("=Ixxxx", 1)))
    put("fuzz_xt_blob", "reject", blob(13, 0, 6, b"REJECT", struct.pack("=Ixxxx", 7)))
    put("fuzz_xt_blob", "reject6", blob(15, 0, 6, b"REJECT", struct.pack("=Ixxxx", 6)))
    put("fuzz_xt_blob", "log", blob(13, 0, 0, b"LOG", struct.pack("=BB30s", 4, 0, b"pktloss: ")))
    put("fuzz_xt_blob", "mark", blob(13, 2, 0, b"MARK", struct.pack("=II", 1, 0xffffffff)))


def probe_seeds():
    def csum(b):
        if len(b) % 2: b += b"\0"
        s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
        while s >> 16: s = (s & 0xffff) + (s >> 16)
        return ~s & 0xffff
    def ip(src, dst, proto, payload):
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0x4000, 64, proto, 0,
                        socket.inet_aton(src), socket.inet_aton(dst))
        return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload
    def tcp(sport, dport, seq, ack, flags):
        return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0)
    put("fuzz_probe_packets", "synack", b"\0" + ip("10.0.0.2", "10.0.0.1", 6, tcp(80, 40000, 7, 1001, 0x12)))
    put("fuzz_probe_packets", "rstack", b"\0" + ip("10.0.0.2", "10.0.0.1", 6, tcp(80, 40001, 0, 1001, 0x14)))
    echo = struct.pack("!BBHHH", 0, 0, 0, 0x1234, 7) + bytes(56)
    put("fuzz_probe_packets", "echo_reply", b"\1" + ip("10.0.0.2", "10.0.0.1", 1, echo))
    req = ip("10.0.0.1", "10.0.0.2", 1, struct.pack("!BBHHH", 8, 0, 0, 0x1234, 9) + bytes(8))
    fragneeded = struct.pack("!BBHHH", 3, 4, 0, 0, 1280) + req[:28]
    put("fuzz_probe_packets", "frag_needed", b"\1" + ip("10.0.0.254", "10.0.0.1", 1, fragneeded))
    unreach = struct.pack("!BBHI", 3, 1, 0, 0) + req[:28]
    put("fuzz_probe_packets", "host_unreachable", b"\1" + ip("10.0.0.254", "10.0.0.1", 1, unreach))


def http_seeds():
    # nginx's answers, as the probe sees them (chunk size 0x0f: 16-byte reads).
    ok = b"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Tue, 01 Dec 2026 11:00:00 GMT\r\n" \
         b"Content-Type: text/html\r\nContent-Length: 12\r\nConnection: keep-alive\r\n\r\nhello world\n"
    put("fuzz_http_response", "nginx_200", b"\x0f" + ok)
    put("fuzz_http_response", "nginx_404_close", b"\xff" + b"HTTP/1.1 404 Not Found\r\nServer: nginx\r\n"
        b"Connection: close\r\n\r\n<html>not found</html>")
    put("fuzz_http_response", "chunked", b"\x00" + b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n0\r\n\r\n")
    put("fuzz_http_response", "huge_length", b"\x40" + b"HTTP/1.0 301 Moved\r\ncontent-length: "
        b"99999999999999999999999\r\n\r\n")


def serve_seeds():
    put("fuzz_serve_request", "metrics", b"/metrics\0text/plain\0eth0\0127.0.0.1:9469")
    put("fuzz_serve_request", "openmetrics", b"/metrics\0application/openmetrics-text; version=1.0.0"
        b"\0ip filter INPUT rule 2 \"a\\b\"\n\0[::1]:9469")
    put("fuzz_serve_request", "healthy", b"/-/healthy\0*/*\0\0:9469")
    put("fuzz_serve_request", "index", b"/\0text/html\0\0localhost:0")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--dump":
        return dump_main()
    proc_seeds()
    kallsyms_seeds()
    xt_seeds()
    probe_seeds()
    http_seeds()
    serve_seeds()
    netem_seed()
    tfilter_seeds()
    try:
        setup_namespace()
        # A listener and a bound UDP socket for sock_diag (in the namespace, closed with it).
        srv = subprocess.Popen(["ip", "netns", "exec", NS, sys.executable, "-c",
                                "import socket,time\n"
                                "t=socket.socket();t.bind(('127.0.0.1',8080));t.listen()\n"
                                "u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);u.bind(('0.0.0.0',5353))\n"
                                "time.sleep(3)"])
        import time; time.sleep(0.5)
        netlink_seeds()
        nft_seeds()
        srv.wait()
    finally:
        sh("ip", "netns", "del", NS, check=False)


if __name__ == "__main__":
    main()
