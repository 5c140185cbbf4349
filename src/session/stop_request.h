#pragma once
// SIGINT / SIGTERM during a window: the window closes early and the report of what was seen so
// far is printed, marked interrupted (an operator ending a long trace wants its result).
#include <csignal>

namespace pktloss {

// Installs the handlers for the lifetime of the object and restores the previous ones after.
class StopRequest {
 public:
  StopRequest();
  ~StopRequest();
  StopRequest(const StopRequest&) = delete;
  StopRequest& operator=(const StopRequest&) = delete;

  // 0 while running; the signal number once one came.
  static int signal();

 private:
  void (*prev_int_)(int);
  void (*prev_term_)(int);
};

}  // namespace pktloss
