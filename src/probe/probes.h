#pragma once
// One function per probe kind. Each runs in the calling thread's network namespace, sends only to
// plan.host, is bounded in count, rate and time, and never throws for network trouble: a socket it
// cannot open becomes ProbeResult.detail ("raw socket unavailable: ...").
#include "model/observations.h"
#include "probe/probe_plan.h"

namespace pktloss {

ProbeResult probe_syn(const ProbePlan& plan);      // raw TCP SYN, like hping3 -S
ProbeResult probe_connect(const ProbePlan& plan);  // TCP connect()
ProbeResult probe_http(const ProbePlan& plan);     // HTTP/1.1 GET plan.http_path
ProbeResult probe_udp(const ProbePlan& plan);      // UDP datagram, ICMP port-unreachable aware
ProbeResult probe_icmp(const ProbePlan& plan);     // ICMP echo
ProbeResult probe_mtu(const ProbePlan& plan);      // DF size sweep + bisection (ICMP echo)

}  // namespace pktloss
