#include "container/runtime_api.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace pktloss::container {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxContainers = 100000;
constexpr size_t kMaxString = 4096;
constexpr size_t kMaxLabels = 1024;
constexpr int kMaxPid = 1 << 22;  // PID_MAX_LIMIT

json parse(std::string_view body, const char* what) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw std::runtime_error(std::string(what) + ": answer is not JSON");
  return j;
}

// A string field, or "" when absent / not a string; over-long strings are cut (they are shown).
std::string str(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_string()) return "";
  std::string s = it->get<std::string>();
  if (s.size() > kMaxString) s.resize(kMaxString);
  return s;
}

int pid_of(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_number_integer()) return 0;
  auto v = it->get<int64_t>();
  return v > 0 && v <= kMaxPid ? static_cast<int>(v) : 0;
}

std::map<std::string, std::string> labels_of(const json& o) {
  std::map<std::string, std::string> out;
  if (!o.is_object()) return out;
  for (auto it = o.begin(); it != o.end() && out.size() < kMaxLabels; ++it)
    if (it.value().is_string() && it.key().size() <= kMaxString)
      out[it.key()] = str(o, it.key().c_str());
  return out;
}

std::string strip_slash(std::string n) {
  if (!n.empty() && n.front() == '/') n.erase(0, 1);
  return n;
}

const json* object_at(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_object() ? &*it : nullptr;
}

}  // namespace

std::vector<ContainerRecord> parse_container_list(const std::string& runtime,
                                                  std::string_view body) {
  const json j = parse(body, "container list");
  if (!j.is_array()) throw std::runtime_error("container list: answer is not a JSON array");
  if (j.size() > kMaxContainers)
    throw std::runtime_error("container list: more than " + std::to_string(kMaxContainers) +
                             " containers");
  std::vector<ContainerRecord> out;
  for (const auto& c : j) {
    if (!c.is_object()) throw std::runtime_error("container list: an entry is not an object");
    ContainerRecord r;
    r.runtime = runtime;
    r.id = str(c, "Id");
    if (r.id.empty()) r.id = str(c, "ID");
    if (r.id.empty()) continue;  // nothing to address it by
    if (auto n = c.find("Names"); n != c.end() && n->is_array()) {
      for (const auto& x : *n)
        if (x.is_string()) {
          r.name = strip_slash(x.get<std::string>().substr(0, kMaxString));
          break;
        }
    }
    if (r.name.empty()) r.name = strip_slash(str(c, "Name"));
    r.state = str(c, "State");  // Docker and Podman: "running", "exited", ...
    r.pid = pid_of(c, "Pid");   // libpod's list carries it; Docker's does not
    if (auto l = c.find("Labels"); l != c.end()) r.labels = labels_of(*l);
    if (const json* hc = object_at(c, "HostConfig")) r.network_mode = str(*hc, "NetworkMode");
    out.push_back(std::move(r));
  }
  return out;
}

void parse_container_inspect(std::string_view body, ContainerRecord& rec) {
  const json j = parse(body, "container inspect");
  if (!j.is_object()) throw std::runtime_error("container inspect: answer is not a JSON object");
  if (const json* st = object_at(j, "State")) {
    rec.pid = pid_of(*st, "Pid");
    std::string status = str(*st, "Status");
    if (!status.empty()) rec.state = status;
    auto running = st->find("Running");
    if (status.empty() && running != st->end() && running->is_boolean())
      rec.state = running->get<bool>() ? "running" : "exited";
  }
  if (const json* hc = object_at(j, "HostConfig")) {
    std::string mode = str(*hc, "NetworkMode");
    if (!mode.empty()) rec.network_mode = mode;
  }
  if (const json* cfg = object_at(j, "Config"))
    if (auto l = cfg->find("Labels"); l != cfg->end() && l->is_object()) rec.labels = labels_of(*l);
  if (rec.name.empty()) rec.name = strip_slash(str(j, "Name"));
}

std::pair<std::string, std::string> pod_of(const std::map<std::string, std::string>& labels) {
  auto get = [&](const char* a, const char* b) {
    auto it = labels.find(a);
    if (it != labels.end() && !it->second.empty()) return it->second;
    it = labels.find(b);
    return it == labels.end() ? std::string() : it->second;
  };
  return {get("io.kubernetes.pod.name", "io.kubernetes.cri.sandbox-name"),
          get("io.kubernetes.pod.namespace", "io.kubernetes.cri.sandbox-namespace")};
}

}  // namespace pktloss::container
