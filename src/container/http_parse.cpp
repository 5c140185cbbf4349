#include "container/http_parse.h"

#include <cctype>
#include <cstdint>
#include <optional>

namespace pktloss::container {
namespace {

using State = HttpParse::State;

HttpParse fail(std::string why) {
  HttpParse p;
  p.state = State::error;
  p.error = std::move(why);
  return p;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Decimal or hex digits only, no sign, no overflow past `cap`.
std::optional<uint64_t> number(std::string_view s, int base, uint64_t cap) {
  if (s.empty() || s.size() > 16) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return std::nullopt;
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    if (v > cap) return std::nullopt;
  }
  return v;
}

// Chunked transfer coding: "SIZE[;ext]\r\nDATA\r\n" ... "0\r\n[trailers]\r\n".
HttpParse dechunk(std::string_view b, bool eof, const HttpLimits& limits, HttpParse p) {
  size_t pos = 0;
  for (;;) {
    size_t eol = b.find("\r\n", pos);
    if (eol == std::string_view::npos) {
      if (b.size() - pos > 1024) return fail("malformed chunk size line");
      return eof ? fail("response truncated inside a chunk header") : p;
    }
    std::string_view line = b.substr(pos, eol - pos);
    if (auto semi = line.find(';'); semi != std::string_view::npos) line = line.substr(0, semi);
    auto size = number(trim(line), 16, limits.max_body);
    if (!size) return fail("malformed chunk size '" + std::string(trim(line).substr(0, 20)) + "'");
    pos = eol + 2;
    if (*size == 0) {
      // Trailers (ignored) end with an empty line.
      for (;;) {
        size_t e = b.find("\r\n", pos);
        if (e == std::string_view::npos) return eof ? fail("response truncated in trailers") : p;
        if (e == pos) break;
        pos = e + 2;
      }
      p.state = State::complete;
      return p;
    }
    if (p.body.size() + *size > limits.max_body)
      return fail("response body above " + std::to_string(limits.max_body) + " bytes");
    if (b.size() - pos < *size + 2) return eof ? fail("response truncated inside a chunk") : p;
    if (b.substr(pos + *size, 2) != "\r\n") return fail("chunk not followed by CRLF");
    p.body.append(b.substr(pos, *size));
    pos += *size + 2;
  }
}

}  // namespace

HttpParse parse_http_response(std::string_view raw, bool eof, const HttpLimits& limits) {
  size_t head_end = raw.find("\r\n\r\n");
  // Reject garbage early: a peer that is not speaking HTTP need not keep us until the timeout.
  if (raw.size() >= 5 && raw.substr(0, 5) != "HTTP/") return fail("not an HTTP response");
  if (head_end == std::string_view::npos) {
    if (raw.size() > limits.max_header)
      return fail("response headers above " + std::to_string(limits.max_header) + " bytes");
    if (eof) return fail(raw.empty() ? "empty response" : "response truncated in its headers");
    return {};
  }
  if (head_end > limits.max_header)
    return fail("response headers above " + std::to_string(limits.max_header) + " bytes");
  std::string_view head = raw.substr(0, head_end);
  size_t eol = head.find("\r\n");
  std::string_view status_line = head.substr(0, eol);
  // "HTTP/1.x SSS reason"
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ')
    return fail("not an HTTP/1.x status line");
  auto code = number(status_line.substr(9, 3), 10, 999);
  if (!code || *code < 100 || *code > 599 || (status_line.size() > 12 && status_line[12] != ' '))
    return fail("malformed HTTP status line");

  HttpParse p;
  p.status = static_cast<int>(*code);
  std::optional<uint64_t> length;
  bool chunked = false;
  size_t pos = eol == std::string_view::npos ? head.size() : eol + 2;
  while (pos < head.size()) {
    size_t e = head.find("\r\n", pos);
    std::string_view line = head.substr(pos, e == std::string_view::npos ? e : e - pos);
    pos = e == std::string_view::npos ? head.size() : e + 2;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return fail("malformed HTTP header line");
    const std::string key = lower(trim(line.substr(0, colon)));
    const std::string_view value = trim(line.substr(colon + 1));
    if (key == "content-length") {
      auto v = number(value, 10, UINT64_MAX / 16);
      if (!v) return fail("malformed Content-Length");
      if (length && *length != *v) return fail("conflicting Content-Length headers");
      length = v;
    } else if (key == "transfer-encoding") {
      const std::string te = lower(value);
      if (te == "chunked")
        chunked = true;
      else if (te != "identity")
        return fail("unsupported Transfer-Encoding '" + te.substr(0, 20) + "'");
    }
  }
  std::string_view body = raw.substr(head_end + 4);
  // No body by definition (RFC 9112 6.3).
  if (p.status < 200 || p.status == 204 || p.status == 304) {
    p.state = State::complete;
    return p;
  }
  if (chunked) return dechunk(body, eof, limits, std::move(p));
  if (length) {
    if (*length > limits.max_body)
      return fail("response body of " + std::to_string(*length) + " bytes is above the limit of " +
                  std::to_string(limits.max_body));
    if (body.size() < *length) return eof ? fail("response body truncated") : p;
    p.body.assign(body.substr(0, *length));
    p.state = State::complete;
    return p;
  }
  // Neither: the body runs to EOF.
  if (body.size() > limits.max_body)
    return fail("response body above " + std::to_string(limits.max_body) + " bytes");
  if (!eof) return p;
  p.body.assign(body);
  p.state = State::complete;
  return p;
}

}  // namespace pktloss::container
