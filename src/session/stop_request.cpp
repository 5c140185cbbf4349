#include "session/stop_request.h"

namespace pktloss {
namespace {

volatile std::sig_atomic_t g_signal = 0;

void on_signal(int sig) {
  g_signal = sig;
}

}  // namespace

StopRequest::StopRequest() {
  g_signal = 0;
  prev_int_ = std::signal(SIGINT, on_signal);
  prev_term_ = std::signal(SIGTERM, on_signal);
}

StopRequest::~StopRequest() {
  std::signal(SIGINT, prev_int_);
  std::signal(SIGTERM, prev_term_);
}

int StopRequest::signal() {
  return g_signal;
}

}  // namespace pktloss
