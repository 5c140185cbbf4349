#include "probe/http_response.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string>

#include "probe/socket_util.h"

namespace pktloss {

using probe::now_ms;

HttpResponse read_http_response(int fd, double t_start, double deadline) {
  HttpResponse resp;
  std::string head;
  size_t header_end = std::string::npos;
  long long content_length = -1;
  char buf[16384];
  for (;;) {
    int left = static_cast<int>(deadline - now_ms());
    if (left <= 0) return resp;
    pollfd pfd{fd, POLLIN, 0};
    int pr = poll(&pfd, 1, left);
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) return resp;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) return resp;
    if (n == 0) {  // EOF: complete when no length was announced or it was reached
      resp.complete =
          header_end != std::string::npos &&
          (content_length < 0 || resp.body_bytes >= static_cast<size_t>(content_length));
      return resp;
    }
    if (resp.first_byte_ms < 0) resp.first_byte_ms = now_ms() - t_start;
    if (header_end == std::string::npos) {
      head.append(buf, static_cast<size_t>(n));
      if (head.size() > 65536) return resp;  // a header this big is not an answer we trust
      header_end = head.find("\r\n\r\n");
      if (header_end == std::string::npos) continue;
      if (head.compare(0, 5, "HTTP/") == 0) {
        auto sp = head.find(' ');
        if (sp != std::string::npos && sp + 4 <= head.size()) {
          int st = 0;
          for (size_t i = sp + 1; i < sp + 4; ++i)
            st = isdigit(static_cast<unsigned char>(head[i])) ? st * 10 + (head[i] - '0') : -1000;
          if (st >= 100 && st <= 599) resp.status = st;
        }
      }
      std::string lower = head.substr(0, header_end);
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      auto cl = lower.find("\r\ncontent-length:");
      if (cl != std::string::npos) content_length = std::atoll(lower.c_str() + cl + 17);
      resp.body_bytes = head.size() - (header_end + 4);
    } else {
      resp.body_bytes += static_cast<size_t>(n);
    }
    if (resp.status && content_length >= 0 &&
        resp.body_bytes >= static_cast<size_t>(content_length)) {
      resp.complete = true;
      return resp;
    }
  }
}

}  // namespace pktloss
