#include "capture/capture_reader.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace pktloss::capture {
namespace {

// A stream of bytes: the file itself or its decompressed contents.
class Source {
 public:
  virtual ~Source() = default;
  // Up to n bytes into buf; 0 at the end. Throws std::runtime_error on read errors.
  virtual size_t read(uint8_t* buf, size_t n) = 0;
};

class FdSource : public Source {
 public:
  explicit FdSource(int fd) : fd_(fd) {}
  ~FdSource() override { ::close(fd_); }
  size_t read(uint8_t* buf, size_t n) override {
    for (;;) {
      ssize_t r = ::read(fd_, buf, n);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EINTR) throw std::runtime_error(std::string("read: ") + std::strerror(errno));
    }
  }

 private:
  int fd_;
};

class MemorySource : public Source {
 public:
  MemorySource(const uint8_t* d, size_t n) : d_(d), n_(n) {}
  size_t read(uint8_t* buf, size_t n) override {
    size_t k = std::min(n, n_ - pos_);
    std::memcpy(buf, d_ + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  const uint8_t* d_;
  size_t n_, pos_ = 0;
};

// gzip through zlib's inflate on any Source (concatenated members too).
class GzipSource : public Source {
 public:
  explicit GzipSource(std::unique_ptr<Source> in) : in_(std::move(in)), buf_(1 << 16) {
    std::memset(&z_, 0, sizeof z_);
    if (inflateInit2(&z_, 15 + 32) != Z_OK) throw std::runtime_error("zlib: cannot initialise");
  }
  ~GzipSource() override { inflateEnd(&z_); }
  size_t read(uint8_t* out, size_t n) override {
    z_.next_out = out;
    z_.avail_out = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    for (;;) {
      if (z_.avail_in == 0) {
        size_t got = in_->read(buf_.data(), buf_.size());
        if (got == 0) {
          if (!done_) throw std::runtime_error("gzip data ends early");
          return 0;
        }
        z_.next_in = buf_.data();
        z_.avail_in = static_cast<uInt>(got);
      }
      if (done_) {  // another gzip member follows
        inflateReset(&z_);
        done_ = false;
      }
      int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END)
        done_ = true;
      else if (rc != Z_OK && rc != Z_BUF_ERROR)
        throw std::runtime_error(std::string("gzip data damaged: ") + (z_.msg ? z_.msg : "?"));
      if (z_.next_out != out) return static_cast<size_t>(z_.next_out - out);
    }
  }

 private:
  std::unique_ptr<Source> in_;
  std::vector<uint8_t> buf_;
  z_stream z_;
  bool done_ = false;
};

class ZstdSource : public Source {
 public:
  explicit ZstdSource(std::unique_ptr<Source> in)
      : in_(std::move(in)), buf_(ZSTD_DStreamInSize()), z_(ZSTD_createDStream()) {
    if (!z_) throw std::runtime_error("zstd: cannot initialise");
    ZSTD_initDStream(z_);
  }
  ~ZstdSource() override { ZSTD_freeDStream(z_); }
  size_t read(uint8_t* out, size_t n) override {
    ZSTD_outBuffer o{out, n, 0};
    while (o.pos == 0) {
      if (in_pos_.pos == in_pos_.size) {
        size_t got = in_->read(buf_.data(), buf_.size());
        if (got == 0) {
          if (!frame_done_) throw std::runtime_error("zstd data ends early");
          return 0;
        }
        in_pos_ = ZSTD_inBuffer{buf_.data(), got, 0};
      }
      size_t rc = ZSTD_decompressStream(z_, &o, &in_pos_);
      if (ZSTD_isError(rc))
        throw std::runtime_error(std::string("zstd data damaged: ") + ZSTD_getErrorName(rc));
      frame_done_ = rc == 0;
    }
    return o.pos;
  }

 private:
  std::unique_ptr<Source> in_;
  std::vector<uint8_t> buf_;
  ZSTD_DStream* z_;
  ZSTD_inBuffer in_pos_{nullptr, 0, 0};
  bool frame_done_ = true;
};

// The first bytes (read to recognise the format), then the rest of the stream.
class PrefixSource : public Source {
 public:
  PrefixSource(std::vector<uint8_t> head, std::unique_ptr<Source> rest)
      : head_(std::move(head)), rest_(std::move(rest)) {}
  size_t read(uint8_t* buf, size_t n) override {
    if (pos_ < head_.size()) {
      size_t k = std::min(n, head_.size() - pos_);
      std::memcpy(buf, head_.data() + pos_, k);
      pos_ += k;
      return k;
    }
    return rest_->read(buf, n);
  }

 private:
  std::vector<uint8_t> head_;
  std::unique_ptr<Source> rest_;
  size_t pos_ = 0;
};

// Contiguous views into the stream: need(n) returns n bytes (or nullptr at the end).
class Reader {
 public:
  explicit Reader(Source& s) : src_(s), buf_(1 << 20) {}
  const uint8_t* need(size_t n) {
    if (end_ - pos_ >= n) return buf_.data() + pos_;
    if (n > (64u << 20)) throw std::runtime_error("block larger than 64 MiB");
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
    if (buf_.size() < n) buf_.resize(std::max(n, buf_.size() * 2));
    while (end_ < n) {
      size_t got = src_.read(buf_.data() + end_, buf_.size() - end_);
      if (got == 0) return nullptr;
      end_ += got;
    }
    return buf_.data();
  }
  void consume(size_t n) { pos_ += n; }
  bool at_end() { return need(1) == nullptr; }
  size_t left_in_buffer() const { return end_ - pos_; }

 private:
  Source& src_;
  std::vector<uint8_t> buf_;
  size_t pos_ = 0, end_ = 0;
};

inline uint32_t rd32(const uint8_t* p, bool swap) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return swap ? __builtin_bswap32(v) : v;
}
inline uint16_t rd16(const uint8_t* p, bool swap) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return swap ? __builtin_bswap16(v) : v;
}

constexpr uint32_t kMaxSnap = 262144 * 4;  // beyond any real snaplen: a damaged record

void read_pcap(Reader& r, const PacketSink& sink, CaptureFileInfo& info) {
  const uint8_t* h = r.need(24);
  if (!h) throw std::runtime_error("truncated pcap file header");
  uint32_t magic;
  std::memcpy(&magic, h, 4);
  bool swap = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
  bool nano = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
  CaptureInterface itf;
  itf.snaplen = rd32(h + 16, swap);
  // The top bits of the link type field carry an FCS length (LINKTYPE_ and FCS flags).
  itf.linktype = static_cast<int>(rd32(h + 20, swap) & 0x0fffffff);
  r.consume(24);
  info.format = "pcap";
  info.interfaces.push_back(itf);
  CaptureInterface& i0 = info.interfaces.back();
  for (;;) {
    const uint8_t* rec = r.need(16);
    if (!rec) {
      if (r.left_in_buffer()) info.error = "truncated record header";
      return;
    }
    uint32_t sec = rd32(rec, swap), frac = rd32(rec + 4, swap);
    uint32_t caplen = rd32(rec + 8, swap), len = rd32(rec + 12, swap);
    if (caplen > kMaxSnap) {
      info.error = "record of " + std::to_string(caplen) + " bytes: file damaged";
      return;
    }
    const uint8_t* data = r.need(16 + caplen);
    if (!data) {
      info.error = "truncated dump file; tried to read " + std::to_string(caplen) +
                   " captured bytes, only got fewer";
      return;
    }
    uint64_t ts = uint64_t{sec} * 1'000'000'000ull + (nano ? frac : uint64_t{frac} * 1000);
    ++info.packets;
    ++i0.packets;
    sink(i0.linktype, ts, data + 16, caplen, len);
    r.consume(16 + caplen);
  }
}

struct NgInterface {
  int linktype = 0;
  uint32_t snaplen = 0;
  // Timestamp units: 10^-exp10 s or 2^-exp2 s.
  bool pow2 = false;
  uint8_t exp = 6;
  int64_t offset_s = 0;
};

uint64_t ng_ts_ns(const NgInterface& itf, uint64_t t) {
  uint64_t ns;
  if (itf.pow2) {
    ns = static_cast<uint64_t>((static_cast<unsigned __int128>(t) * 1'000'000'000u) >> itf.exp);
  } else if (itf.exp <= 9) {
    static constexpr uint64_t mul[] = {1'000'000'000, 100'000'000, 10'000'000, 1'000'000, 100'000,
                                       10'000,        1'000,       100,        10,        1};
    ns = t * mul[itf.exp];
  } else {
    uint64_t div = 1;
    for (int i = 9; i < itf.exp && i < 28; ++i) div *= 10;
    ns = t / div;
  }
  return ns + static_cast<uint64_t>(itf.offset_s * 1'000'000'000);
}

void read_pcapng(Reader& r, const PacketSink& sink, CaptureFileInfo& info) {
  info.format = "pcapng";
  std::vector<NgInterface> itfs;  // of the current section
  size_t section_base = 0;        // index in info.interfaces of this section's first interface
  bool swap = false;
  for (bool first = true;; first = false) {
    const uint8_t* b = r.need(12);
    if (!b) {
      if (r.left_in_buffer()) info.error = "truncated block header";
      return;
    }
    uint32_t type_raw;
    std::memcpy(&type_raw, b, 4);
    if (type_raw == 0x0a0d0d0a) {  // section header: byte order from its magic
      uint32_t bom;
      std::memcpy(&bom, b + 8, 4);
      if (bom == 0x1a2b3c4d)
        swap = false;
      else if (bom == 0x4d3c2b1a)
        swap = true;
      else
        throw std::runtime_error("pcapng section header with a bad byte-order magic");
      itfs.clear();
      section_base = info.interfaces.size();
    } else if (first) {
      throw std::runtime_error("not a pcapng file");
    }
    const uint32_t type = rd32(b, swap), total = rd32(b + 4, swap);
    if (total < 12 || total % 4 != 0) {
      info.error = "pcapng block of impossible length " + std::to_string(total);
      return;
    }
    const uint8_t* blk = r.need(total);
    if (!blk) {
      info.error = "truncated pcapng block";
      return;
    }
    const uint8_t* body = blk + 8;
    const uint32_t body_len = total - 12;
    if (type == 1) {  // interface description
      if (body_len < 8) {
        info.error = "short interface description block";
        return;
      }
      NgInterface itf;
      itf.linktype = rd16(body, swap);
      itf.snaplen = rd32(body + 4, swap);
      // Options: if_tsresol (9), if_tsoffset (14).
      uint32_t o = 8;
      while (o + 4 <= body_len) {
        uint16_t code = rd16(body + o, swap), len = rd16(body + o + 2, swap);
        if (code == 0 || o + 4 + len > body_len) break;
        if (code == 9 && len >= 1) {
          uint8_t v = body[o + 4];
          itf.pow2 = v & 0x80;
          itf.exp = v & 0x7f;
          if (itf.pow2 ? itf.exp > 63 : itf.exp > 27) itf.exp = itf.pow2 ? 63 : 27;
        }
        if (code == 14 && len >= 8) {
          uint64_t off;
          std::memcpy(&off, body + o + 4, 8);
          if (swap) off = __builtin_bswap64(off);
          itf.offset_s = static_cast<int64_t>(off);
        }
        o += 4 + ((len + 3u) & ~3u);
      }
      itfs.push_back(itf);
      info.interfaces.push_back(CaptureInterface{itf.linktype, itf.snaplen, 0});
    } else if (type == 6 || type == 2 || type == 3) {  // enhanced / obsolete / simple packet
      uint32_t id = 0, caplen = 0, len = 0, hdr = 0;
      uint64_t t = 0;
      bool has_ts = true;
      if (type == 6 && body_len >= 20) {
        id = rd32(body, swap);
        t = uint64_t{rd32(body + 4, swap)} << 32 | rd32(body + 8, swap);
        caplen = rd32(body + 12, swap);
        len = rd32(body + 16, swap);
        hdr = 20;
      } else if (type == 2 && body_len >= 20) {
        id = rd16(body, swap);
        t = uint64_t{rd32(body + 4, swap)} << 32 | rd32(body + 8, swap);
        caplen = rd32(body + 12, swap);
        len = rd32(body + 16, swap);
        hdr = 20;
      } else if (type == 3 && body_len >= 4) {
        len = rd32(body, swap);
        hdr = 4;
        caplen = body_len - 4;
        if (!itfs.empty() && itfs[0].snaplen && caplen > itfs[0].snaplen) caplen = itfs[0].snaplen;
        if (caplen > len) caplen = len;
        has_ts = false;
      } else {
        info.error = "short packet block";
        return;
      }
      if (caplen > body_len - hdr) {
        info.error = "packet block shorter than its captured length";
        return;
      }
      if (id >= itfs.size()) {
        info.error = "packet block for interface " + std::to_string(id) + " not described";
        return;
      }
      ++info.packets;
      ++info.interfaces[section_base + id].packets;
      sink(itfs[id].linktype, has_ts ? ng_ts_ns(itfs[id], t) : 0, body + hdr, caplen, len);
    }
    // Other blocks (name resolution, statistics, custom, journal) carry no packets.
    r.consume(total);
  }
}

CaptureFileInfo read_stream(std::unique_ptr<Source> raw, const PacketSink& sink,
                            bool allow_compressed) {
  std::vector<uint8_t> head(4);
  size_t got = 0;
  while (got < 4) {
    size_t k = raw->read(head.data() + got, 4 - got);
    if (k == 0) break;
    got += k;
  }
  if (got == 0) throw std::runtime_error("empty file");
  if (got < 4) throw std::runtime_error("too short to be a capture");
  const uint8_t* m = head.data();
  uint32_t magic;
  std::memcpy(&magic, m, 4);
  auto src = std::make_unique<PrefixSource>(head, std::move(raw));
  CaptureFileInfo info;
  if (allow_compressed && m[0] == 0x1f && m[1] == 0x8b) {
    info = read_stream(std::make_unique<GzipSource>(std::move(src)), sink, false);
    info.compression = "gzip";
    return info;
  }
  if (allow_compressed && magic == 0xfd2fb528) {
    info = read_stream(std::make_unique<ZstdSource>(std::move(src)), sink, false);
    info.compression = "zstd";
    return info;
  }
  if (m[0] == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X')
    throw std::runtime_error("xz-compressed: decompress it first (xz -dk FILE)");
  if (m[0] == 'B' && m[1] == 'Z' && m[2] == 'h')
    throw std::runtime_error("bzip2-compressed: decompress it first (bzip2 -dk FILE)");
  if (magic == 0x184d2204)
    throw std::runtime_error("lz4-compressed: decompress it first (lz4 -d FILE)");
  if (m[0] == 'P' && m[1] == 'K')
    throw std::runtime_error("a zip archive: extract the capture first (unzip FILE)");
  const bool pcap =
      magic == 0xa1b2c3d4 || magic == 0xd4c3b2a1 || magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
  if (!pcap && magic != 0x0a0d0d0a)
    throw std::runtime_error("unknown file format (neither pcap nor pcapng)");
  Reader r(*src);
  try {
    if (pcap)
      read_pcap(r, sink, info);
    else
      read_pcapng(r, sink, info);
  } catch (const std::runtime_error& e) {
    // Damage before the first packet: not a capture we can read. After it: a note.
    if (info.packets == 0 && info.interfaces.empty()) throw;
    info.error = e.what();
  }
  return info;
}

}  // namespace

CaptureFileInfo read_capture(const std::string& path, const PacketSink& sink) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot read capture " + path + ": " + std::strerror(errno));
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  try {
    return read_stream(std::make_unique<FdSource>(fd), sink, true);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("cannot read capture " + path + ": " + e.what());
  }
}

CaptureFileInfo read_capture_memory(const uint8_t* data, size_t size, const PacketSink& sink) {
  return read_stream(std::make_unique<MemorySource>(data, size), sink, true);
}

}  // namespace pktloss::capture
