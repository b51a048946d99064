// gzip and zstd decoders behind InputStream. Both stop at the first damage and keep
// what they decoded before it, because a reader must keep the records before the damage
// (a truncated download is the common case) rather than fail the whole file.

#include "curate/io/input_stream.hpp"

#include <fmt/format.h>
#include <zlib.h>
#include <zstd.h>

#include <stdexcept>

namespace curate::io {
namespace {

constexpr std::size_t kCompressedChunkBytes = 1 << 20;
// Text compresses 3-5x; the guess only sizes buffers, so being off is harmless.
constexpr std::uint64_t kExpansionGuess = 4;

class GzipInputStream final : public InputStream {
 public:
  explicit GzipInputStream(std::unique_ptr<InputStream> compressed)
      : compressed_(std::move(compressed)), input_(new char[kCompressedChunkBytes]) {
    // 15 + 32: the largest window, and detect the gzip or zlib header automatically.
    if (inflateInit2(&stream_, 15 + 32) != Z_OK) {
      throw std::runtime_error("cannot initialise zlib for reading a .gz file");
    }
  }
  ~GzipInputStream() override { inflateEnd(&stream_); }
  GzipInputStream(const GzipInputStream&) = delete;
  GzipInputStream& operator=(const GzipInputStream&) = delete;

  std::size_t read(char* out, std::size_t size) override {
    if (done_ || size == 0) return 0;
    stream_.next_out = reinterpret_cast<Bytef*>(out);
    // zlib counts in uInt; a short read is fine, callers loop.
    stream_.avail_out = static_cast<uInt>(std::min<std::size_t>(size, 1u << 30));
    const uInt wanted = stream_.avail_out;
    while (stream_.avail_out > 0) {
      if (stream_.avail_in == 0 && !input_ended_) refill();
      const int status = inflate(&stream_, Z_NO_FLUSH);
      if (status == Z_STREAM_END) {
        // Another gzip member may follow (`cat a.gz b.gz` is a valid .gz file).
        member_open_ = false;
        inflateReset(&stream_);
        continue;
      }
      if (status == Z_BUF_ERROR) {
        if (stream_.avail_in == 0 && input_ended_) {
          if (member_open_) damage_ = StreamDamage::Truncated;
          done_ = true;
          break;
        }
        continue;
      }
      if (status == Z_MEM_ERROR) throw std::runtime_error("zlib ran out of memory");
      if (status != Z_OK) {
        damage_ = StreamDamage::Corrupt;
        detail_ = stream_.msg != nullptr ? stream_.msg : fmt::format("zlib error {}", status);
        done_ = true;
        break;
      }
      member_open_ = true;
    }
    return wanted - stream_.avail_out;
  }

  StreamDamage damage() const override { return damage_; }
  std::string damage_detail() const override {
    if (damage_ == StreamDamage::Truncated) return "unexpected end of gzip data";
    return detail_;
  }
  std::uint64_t size_hint() const override { return compressed_->size_hint() * kExpansionGuess; }

 private:
  void refill() {
    const std::size_t got = compressed_->read(input_.get(), kCompressedChunkBytes);
    if (got == 0) input_ended_ = true;
    stream_.next_in = reinterpret_cast<Bytef*>(input_.get());
    stream_.avail_in = static_cast<uInt>(got);
  }

  std::unique_ptr<InputStream> compressed_;
  std::unique_ptr<char[]> input_;  // not zero-filled: every byte is read before use
  z_stream stream_{};
  bool input_ended_ = false;
  bool member_open_ = false;
  bool done_ = false;
  StreamDamage damage_ = StreamDamage::None;
  std::string detail_;
};

class ZstdInputStream final : public InputStream {
 public:
  explicit ZstdInputStream(std::unique_ptr<InputStream> compressed)
      : compressed_(std::move(compressed)),
        input_(new char[ZSTD_DStreamInSize()]),
        input_size_(ZSTD_DStreamInSize()) {
    context_ = ZSTD_createDCtx();
    if (context_ == nullptr) throw std::runtime_error("cannot create a zstd decompression context");
  }
  ~ZstdInputStream() override { ZSTD_freeDCtx(context_); }
  ZstdInputStream(const ZstdInputStream&) = delete;
  ZstdInputStream& operator=(const ZstdInputStream&) = delete;

  std::size_t read(char* out, std::size_t size) override {
    if (done_ || size == 0) return 0;
    ZSTD_outBuffer output{out, size, 0};
    while (output.pos < output.size) {
      if (in_.pos == in_.size && !input_ended_) refill();
      const std::size_t before = output.pos;
      const std::size_t consumed_before = in_.pos;
      const std::size_t status = ZSTD_decompressStream(context_, &output, &in_);
      if (ZSTD_isError(status)) {
        damage_ = StreamDamage::Corrupt;
        detail_ = ZSTD_getErrorName(status);
        done_ = true;
        break;
      }
      // A frame is open from its first consumed byte until zstd returns 0: the frame
      // ended and everything it held has been flushed out.
      if (in_.pos != consumed_before) frame_open_ = true;
      if (status == 0) frame_open_ = false;
      const bool progressed = output.pos != before || in_.pos != consumed_before;
      if (in_.pos == in_.size && input_ended_ && !progressed) {
        if (frame_open_) damage_ = StreamDamage::Truncated;
        done_ = true;
        break;
      }
    }
    return output.pos;
  }

  StreamDamage damage() const override { return damage_; }
  std::string damage_detail() const override {
    if (damage_ == StreamDamage::Truncated) return "unexpected end of zstd data";
    return detail_;
  }
  std::uint64_t size_hint() const override { return compressed_->size_hint() * kExpansionGuess; }

 private:
  void refill() {
    const std::size_t got = compressed_->read(input_.get(), input_size_);
    if (got == 0) input_ended_ = true;
    in_ = ZSTD_inBuffer{input_.get(), got, 0};
  }

  std::unique_ptr<InputStream> compressed_;
  std::unique_ptr<char[]> input_;
  std::size_t input_size_;
  ZSTD_DCtx* context_ = nullptr;
  ZSTD_inBuffer in_{nullptr, 0, 0};
  bool input_ended_ = false;
  bool frame_open_ = false;
  bool done_ = false;
  StreamDamage damage_ = StreamDamage::None;
  std::string detail_;
};

}  // namespace

std::unique_ptr<InputStream> make_gzip_stream(std::unique_ptr<InputStream> compressed) {
  return std::make_unique<GzipInputStream>(std::move(compressed));
}

std::unique_ptr<InputStream> make_zstd_stream(std::unique_ptr<InputStream> compressed) {
  return std::make_unique<ZstdInputStream>(std::move(compressed));
}

}  // namespace curate::io
