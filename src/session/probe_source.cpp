#include "session/probe_source.h"

#include "probe/run_probes.h"

namespace pktloss {

ProbeSource::~ProbeSource() {
  if (thread_.joinable()) thread_.join();
}

bool ProbeSource::start(std::string& /*note*/) {
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

void ProbeSource::stop(Observations& obs, std::vector<std::string>& /*notes*/) {
  if (thread_.joinable()) thread_.join();
  if (error_) std::rethrow_exception(error_);
  obs.probes = results_;
  record_own_traffic(obs.probes, obs);
}

}  // namespace pktloss
