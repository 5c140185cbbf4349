#include "container/containerd_state.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

namespace pktloss::container {
namespace {

constexpr size_t kMaxConfig = 4 * 1024 * 1024;
constexpr size_t kMaxTasks = 100000;

std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != ".." && out.size() < kMaxTasks) out.push_back(n);
  }
  closedir(d);
  return out;
}

// At most `cap` bytes of a file; "" when unreadable.
std::string slurp(const std::string& path, size_t cap) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return "";
  std::string s(cap + 1, '\0');
  f.read(s.data(), static_cast<std::streamsize>(cap + 1));
  s.resize(static_cast<size_t>(f.gcount()));
  return s;
}

}  // namespace

void apply_oci_annotations(const std::string& config_json, ContainerRecord& rec) {
  if (config_json.empty() || config_json.size() > kMaxConfig) return;
  auto j = nlohmann::json::parse(config_json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return;
  auto a = j.find("annotations");
  if (a == j.end() || !a->is_object()) return;
  for (auto it = a->begin(); it != a->end() && rec.labels.size() < 1024; ++it)
    if (it.value().is_string() && it.key().size() < 256 &&
        it.value().get_ref<const std::string&>().size() < 4096)
      rec.labels[it.key()] = it.value().get<std::string>();
  auto name = rec.labels.find("io.kubernetes.cri.container-name");
  if (name != rec.labels.end() && !name->second.empty()) rec.name = name->second;
}

std::vector<ContainerRecord> read_containerd_state(const std::string& root,
                                                   std::vector<std::string>& notes) {
  std::vector<ContainerRecord> out;
  struct stat st {};
  if (stat(root.c_str(), &st) != 0) return out;  // containerd is not here
  const std::string tasks = root + "/io.containerd.runtime.v2.task";
  if (stat(tasks.c_str(), &st) != 0) return out;  // installed, no v2 task ever ran
  if (!S_ISDIR(st.st_mode)) {
    notes.push_back("containerd: " + tasks + " is not a directory");
    return out;
  }
  for (const auto& ns : entries(tasks)) {
    for (const auto& id : entries(tasks + "/" + ns)) {
      const std::string dir = tasks + "/" + ns + "/" + id;
      ContainerRecord r;
      r.runtime = "containerd";
      r.ns = ns;
      r.id = id;
      r.name = id;
      std::string pid = slurp(dir + "/init.pid", 32);
      char* end = nullptr;
      long v = std::strtol(pid.c_str(), &end, 10);
      if (end != pid.c_str() && v > 0 && v < (1L << 22)) r.pid = static_cast<int>(v);
      // A task directory whose init has exited stays until containerd cleans it up.
      struct stat ps {};
      r.state = r.pid > 0 && stat(("/proc/" + std::to_string(r.pid)).c_str(), &ps) == 0 ? "running"
                                                                                        : "stopped";
      apply_oci_annotations(slurp(dir + "/config.json", kMaxConfig), r);
      out.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace pktloss::container
