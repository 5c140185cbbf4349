#include "session/probe_source.h"

#include "probe/run_probes.h"
#include "session/stop_request.h"

namespace pktloss {

ProbeSource::~ProbeSource() {
  if (thread_.joinable()) thread_.join();
}

bool ProbeSource::start(std::string& /*note*/) {
  plan_.stop_requested = [] { return StopRequest::signal() != 0; };
  thread_ = std::thread([this] {
    try {
      run_in_netns(probing_, [&] { results_ = run_probes(plan_, on_result_); });
    } catch (...) {
      error_ = std::current_exception();
    }
    done_ = true;
  });
  return true;
}

void ProbeSource::stop(Observations& obs, std::vector<std::string>& notes) {
  if (thread_.joinable()) thread_.join();
  if (error_) std::rethrow_exception(error_);
  obs.probes = results_;
  // A probe kind that could not send at all (no CAP_NET_RAW for SYN / ICMP probes) is a part of
  // the run that did not happen: one note each, like any other degraded source.
  for (const auto& p : results_)
    if (p.sent == 0 && !p.detail.empty())
      notes.push_back(p.kind + " probes unavailable: " + p.detail + " (degraded)");
  record_own_traffic(obs.probes, obs);
}

}  // namespace pktloss
