#include "model/finding.h"

namespace pktloss {

const char* to_string(LayerStatus s) {
  switch (s) {
    case LayerStatus::ok:
      return "ok";
    case LayerStatus::warning:
      return "warning";
    case LayerStatus::fault:
      return "fault";
  }
  return "ok";
}

const char* to_string(Severity s) {
  switch (s) {
    case Severity::info:
      return "info";
    case Severity::warning:
      return "warning";
    case Severity::critical:
      return "critical";
  }
  return "info";
}

const char* to_string(Layer l) {
  switch (l) {
    case Layer::link:
      return "link";
    case Layer::qdisc:
      return "qdisc";
    case Layer::netfilter:
      return "netfilter";
    case Layer::ip:
      return "ip";
    case Layer::transport:
      return "transport";
    case Layer::socket:
      return "socket";
    case Layer::application:
      return "application";
  }
  return "link";
}

}  // namespace pktloss
