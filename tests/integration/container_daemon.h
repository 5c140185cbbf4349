#pragma once
// A private Docker daemon for one test process: its own socket, data root, exec root and bridge,
// started with --iptables=false --ip-masq=false so it never rewrites the host's firewall (a
// dockerd left to itself sets the FORWARD policy to DROP and breaks every other test), and
// always stopped and removed, its data and bridge with it, even when the test fails.
//
// There is no registry here: the image is `docker import` of a tiny root made from Debian's
// busybox-static (sh, sleep, httpd, ip and friends as symlinks to /bin/busybox).
#include <string>

#include "testnet.h"

namespace pktloss::testing {

class DockerDaemon {
 public:
  DockerDaemon();
  ~DockerDaemon();
  DockerDaemon(const DockerDaemon&) = delete;
  DockerDaemon& operator=(const DockerDaemon&) = delete;

  // "" when the daemon is up; else why not (dockerd not installed: the caller skips).
  const std::string& unavailable() const { return unavailable_; }
  bool installed() const { return installed_; }
  const std::string& unique() const { return unique_; }  // prefix for container names
  const std::string& socket() const { return socket_; }  // DOCKER_HOST=unix://<socket>
  const std::string& image() const { return image_; }
  // `docker -H unix://SOCKET ARGS`
  CommandResult docker(const std::string& args, int timeout_s = 60) const;
  // docker run -d --name NAME IMAGE CMD; returns the container's init pid (0 on failure).
  int run(const std::string& name, const std::string& cmd, const std::string& opts = "");

 private:
  std::string unique_, socket_, data_, exec_, pidfile_, bridge_, image_, workdir_;
  std::string unavailable_;
  bool installed_ = false;
  bool started_ = false;
};

}  // namespace pktloss::testing
