// pktloss: finds where and why a Linux host loses packets, and says how to fix it.
#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>

#include "cli/app.h"
#include "util/printable.h"

namespace {

// Started with stdin, stdout or stderr closed, the first socket pktloss opens would become fd 1
// and receive the report. Park a /dev/null there instead: read-only on stdout, so writing the
// report fails (EBADF) and says so, rather than going nowhere.
void guard_standard_fds() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    int flags = fd == STDERR_FILENO ? O_WRONLY : O_RDONLY;
    int got = open("/dev/null", flags);
    if (got >= 0 && got != fd) {
      dup2(got, fd);
      close(got);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pktloss;
  guard_standard_fds();
  // A fixed mmap threshold: glibc otherwise raises it after the first large free, and the big
  // per-snapshot vectors (links, routes, the report text) then come from the collector threads'
  // arenas and stay resident after they are freed (peak RSS at 10,000 links: -4 MB).
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  CommonOptions common;
  CommandRunner run;
  auto app_ptr = make_app(common, run);
  CLI::App& app = *app_ptr;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Messages quote the arguments: escaped, so a hostile one cannot add lines or drive the tty.
    std::fprintf(stderr, "pktloss: %s (see pktloss --help)\n", printable_line(e.what()).c_str());
    return kExitError;
  }
  if (!run) {
    std::fprintf(stderr, "pktloss: nothing to run\n");
    return kExitError;
  }
  try {
    return run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pktloss: %s\n", printable_line(e.what()).c_str());
    return kExitError;
  }
}
