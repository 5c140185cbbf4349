// Bounded UDP flood sender for bench/trace.sh: sends exactly COUNT datagrams of SIZE bytes to
// HOST:PORT with sendmmsg in batches and prints "sent N in S s = P pps". On a veth pair the
// receiver's softirq work (including a netfilter DROP and any kfree_skb tracer) runs on the
// sending CPU, so the sender's rate measures the per-packet cost of the whole path.
// Not a Google Benchmark: it has its own main() (CMake links every bench/*.cpp the same way).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s HOST PORT COUNT [SIZE]\n", argv[0]);
    return 2;
  }
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[2])));
  if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) {
    std::fprintf(stderr, "bad IPv4 address %s\n", argv[1]);
    return 2;
  }
  long long count = std::atoll(argv[3]);
  size_t size = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 32;
  if (count <= 0 || count > 1000000000LL || size == 0 || size > 1400) {
    std::fprintf(stderr, "COUNT must be 1..1e9 and SIZE 1..1400\n");
    return 2;
  }
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof(dst)) != 0) {
    std::perror("socket/connect");
    return 1;
  }
  constexpr int kBatch = 64;
  std::vector<char> payload(size, 'x');
  iovec iov[kBatch];
  mmsghdr msgs[kBatch];
  std::memset(msgs, 0, sizeof(msgs));
  for (int i = 0; i < kBatch; i++) {
    iov[i] = {payload.data(), size};
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  auto t0 = std::chrono::steady_clock::now();
  long long sent = 0, errors = 0;
  while (sent < count) {
    int n = static_cast<int>(std::min<long long>(kBatch, count - sent));
    int r = sendmmsg(fd, msgs, n, 0);
    if (r < 0) {
      // ENOBUFS and the like: count it and retry, the total stays bounded by COUNT.
      if (++errors > 1000000) break;
      continue;
    }
    sent += r;
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("sent %lld in %.3f s = %.0f pps (errors %lld)\n", sent, s, sent / s, errors);
  close(fd);
  return sent == count ? 0 : 1;
}
