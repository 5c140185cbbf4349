#include "container_daemon.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>

namespace pktloss::testing {

DockerDaemon::DockerDaemon() {
  installed_ = access("/usr/sbin/dockerd", X_OK) == 0 && access("/usr/bin/docker", X_OK) == 0 &&
               access("/bin/busybox", X_OK) == 0;
  if (!installed_) {
    unavailable_ = "dockerd, /usr/bin/docker or busybox-static is not installed";
    return;
  }
  const int pid = getpid();
  unique_ = "plc" + std::to_string(pid);
  socket_ = "/run/" + unique_ + ".sock";
  data_ = "/var/lib/" + unique_;
  exec_ = "/run/" + unique_ + "-exec";
  pidfile_ = "/run/" + unique_ + ".pid";
  bridge_ = "plb" + std::to_string(pid % 1000000);
  image_ = unique_ + "-img";
  workdir_ = "/tmp/" + unique_ + "-work";
  // A /24 of its own per process (10.231.N.0), on a bridge the test made: no other test's
  // addresses, and no docker0.
  const std::string subnet = "10.231." + std::to_string(pid % 250) + ".";
  sh("ip link del " + bridge_ + " 2>/dev/null; true");
  if (sh("ip link add " + bridge_ + " type bridge && ip addr add " + subnet + "1/24 dev " +
         bridge_ + " && ip link set " + bridge_ + " up")
          .exit_code != 0) {
    unavailable_ = "cannot create bridge " + bridge_;
    return;
  }
  started_ = true;
  sh("mkdir -p " + workdir_ + " " + data_ + " " + exec_);
  sh("setsid nohup /usr/sbin/dockerd --host unix://" + socket_ + " --data-root " + data_ +
     " --exec-root " + exec_ + " --pidfile " + pidfile_ +
     " --iptables=false --ip-masq=false --ip6tables=false --bridge=" + bridge_ +
     " --log-level=warn >" + workdir_ + "/dockerd.log 2>&1 </dev/null &");
  // Up when it answers; the machine may be loaded, so be patient (bounded).
  bool up = false;
  for (int i = 0; i < 120 && !up; ++i) {
    up = docker("version --format '{{.Server.Version}}'", 10).exit_code == 0;
    if (!up) usleep(500000);
  }
  if (!up) {
    unavailable_ = "dockerd did not come up: " + sh("tail -3 " + workdir_ + "/dockerd.log").out;
    return;
  }
  // The image: busybox-static and its applets (absolute symlinks, as in a real image).
  const std::string root = workdir_ + "/root";
  auto r = sh("set -e; mkdir -p " + root + "/bin " + root + "/www " + root + "/tmp " + root +
              "/etc; cp /bin/busybox " + root +
              "/bin/busybox; for a in sh sleep httpd ip cat "
              "ls ifconfig; do ln -sf /bin/busybox " +
              root + "/bin/$a; done; echo hello >" + root +
              "/www/index.html; head -c 30000 /dev/zero | tr '\\0' x >" + root +
              "/www/30k.bin; tar -C " + root + " -cf " + workdir_ + "/root.tar .");
  if (r.exit_code != 0 || docker("import " + workdir_ + "/root.tar " + image_, 120).exit_code != 0)
    unavailable_ = "cannot build the busybox image: " + r.err;
}

CommandResult DockerDaemon::docker(const std::string& args, int timeout_s) const {
  return sh("/usr/bin/docker -H unix://" + socket_ + " " + args, timeout_s);
}

int DockerDaemon::run(const std::string& name, const std::string& cmd, const std::string& opts) {
  auto r = docker("run -d --name " + name + " " + opts + " " + image_ + " " + cmd, 120);
  if (r.exit_code != 0) {
    ADD_FAILURE() << "docker run " << name << ": " << r.err;
    return 0;
  }
  auto p = docker("inspect -f '{{.State.Pid}}' " + name);
  const int pid = std::atoi(p.out.c_str());
  if (pid <= 0)
    ADD_FAILURE() << name << " is not running: "
                  << docker("inspect -f '{{.State.Status}} {{.State.Error}}' " + name).out
                  << docker("logs " + name).err;
  return pid;
}

DockerDaemon::~DockerDaemon() {
  if (!started_) return;
  docker("ps -aq | xargs -r /usr/bin/docker -H unix://" + socket_ + " rm -f", 60);
  docker("ps -aq | xargs -r /usr/bin/docker -H unix://" + socket_ + " rm -f", 60);
  sh("test -f " + pidfile_ + " && kill $(cat " + pidfile_ + ") 2>/dev/null; true");
  // dockerd (and the containerd it started, by its pid file) exit on SIGTERM; wait, then insist.
  for (int i = 0; i < 40; ++i) {
    if (sh("test -S " + socket_ + " || test -f " + pidfile_).exit_code != 0) break;
    usleep(250000);
  }
  sh("test -f " + pidfile_ + " && kill -9 $(cat " + pidfile_ +
     ") 2>/dev/null; "
     "f=" +
     exec_ +
     "/containerd/containerd.pid; test -f $f && kill -9 $(cat $f) 2>/dev/null; "
     "true");
  sh("grep -oE ' (" + data_ + "|" + exec_ +
     ")[^ ]*' /proc/mounts | sort -r | "
     "xargs -r -n1 umount -l 2>/dev/null; true");
  sh("rm -rf " + data_ + " " + exec_ + " " + workdir_ + " " + socket_ + " " + pidfile_ +
     "; ip link del " + bridge_ + " 2>/dev/null; true");
}

}  // namespace pktloss::testing
