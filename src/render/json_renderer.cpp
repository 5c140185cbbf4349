#include "render/json_renderer.h"

#include "model/json.h"
#include "render/capture_json.h"

namespace pktloss {

std::string render_json(const Report& report) {
  std::string out;
  {
    json j = report;
    // Names from outside (a device called "\xff\xfe") may not be UTF-8: one of them must not
    // cost the whole report, so invalid bytes become U+FFFD.
    out = j.dump(2, ' ', false, json::error_handler_t::replace);
  }  // the document is freed before the text grows further (peak memory)
  if (report.capture) {
    // The capture section is written directly and spliced in: with tens of thousands of flows,
    // building it as nlohmann::json would cost more than the analysis.
    out.resize(out.rfind('}'));
    out += ",\n  \"capture\": ";
    append_capture_json(out, *report.capture, report.capture_source);
    out += "\n}";
  }
  out += '\n';  // in place: `out + "\n"` copied the whole report once more
  return out;
}

}  // namespace pktloss
