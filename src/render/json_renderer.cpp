#include "render/json_renderer.h"

#include "model/json.h"

namespace pktloss {

std::string render_json(const Report& report) {
  json j = report;
  return j.dump(2) + "\n";
}

}  // namespace pktloss
