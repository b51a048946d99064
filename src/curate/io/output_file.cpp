#include "curate/io/output_file.hpp"

#include <fmt/format.h>
#include <zlib.h>
#include <zstd.h>

#include <fcntl.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace curate::io {
namespace {

constexpr std::size_t kBufferBytes = 1u << 20;

}  // namespace

struct OutputFile::Codec {
  z_stream gzip{};
  bool gzip_open = false;
  ZSTD_CStream* zstd = nullptr;
  std::vector<char> out = std::vector<char>(kBufferBytes);

  ~Codec() {
    if (gzip_open) deflateEnd(&gzip);
    if (zstd != nullptr) ZSTD_freeCStream(zstd);
  }
};

OutputFile::OutputFile(std::filesystem::path path, Compression compression, int level)
    : path_(std::move(path)), compression_(compression) {
  temporary_ = path_;
  temporary_ += ".tmp";
  fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw std::runtime_error(fmt::format("cannot create output file '{}': {}", temporary_.string(),
                                         std::strerror(errno)));
  }
  buffer_.reserve(kBufferBytes);
  if (compression_ == Compression::Gzip) {
    codec_ = std::make_unique<Codec>();
    // windowBits 15 + 16: a gzip wrapper; zlib writes mtime 0, so output is reproducible.
    if (deflateInit2(&codec_->gzip, level == 0 ? 6 : level, Z_DEFLATED, 15 + 16, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
      throw std::runtime_error("cannot initialise zlib for writing");
    }
    codec_->gzip_open = true;
  } else if (compression_ == Compression::Zstd) {
    codec_ = std::make_unique<Codec>();
    codec_->zstd = ZSTD_createCStream();
    if (codec_->zstd == nullptr ||
        ZSTD_isError(ZSTD_initCStream(codec_->zstd, level == 0 ? 3 : level))) {
      throw std::runtime_error("cannot initialise zstd for writing");
    }
  }
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temporary_.c_str());
  }
}

void OutputFile::put(const void* data, std::size_t size) {
  const char* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t written = ::write(fd_, bytes, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(fmt::format("cannot write output file '{}': {}", temporary_.string(),
                                           std::strerror(errno)));
    }
    bytes += written;
    size -= static_cast<std::size_t>(written);
    bytes_out_ += static_cast<std::uint64_t>(written);
  }
}

void OutputFile::write(std::string_view bytes) {
  bytes_in_ += bytes.size();
  if (buffer_.size() + bytes.size() <= kBufferBytes) {
    buffer_.append(bytes);
    return;
  }
  flush_buffer();
  if (bytes.size() < kBufferBytes) {
    buffer_.append(bytes);
    return;
  }
  // A large block (a run of unchanged records) goes on without a copy.
  encode(bytes);
}

void OutputFile::flush_buffer() {
  if (buffer_.empty()) return;
  encode(buffer_);
  buffer_.clear();
}

void OutputFile::encode(std::string_view bytes) {
  if (compression_ == Compression::None) {
    put(bytes.data(), bytes.size());
  } else if (compression_ == Compression::Gzip) {
    z_stream& z = codec_->gzip;
    // zlib counts in uInt: feed at most 1 GiB per call.
    while (!bytes.empty()) {
      const std::size_t part = std::min<std::size_t>(bytes.size(), 1u << 30);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
      z.avail_in = static_cast<uInt>(part);
      while (z.avail_in > 0) {
        z.next_out = reinterpret_cast<Bytef*>(codec_->out.data());
        z.avail_out = static_cast<uInt>(codec_->out.size());
        if (deflate(&z, Z_NO_FLUSH) == Z_STREAM_ERROR) {
          throw std::runtime_error("zlib deflate failed");
        }
        put(codec_->out.data(), codec_->out.size() - z.avail_out);
      }
      bytes.remove_prefix(part);
    }
  } else {
    ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
    while (in.pos < in.size) {
      ZSTD_outBuffer out{codec_->out.data(), codec_->out.size(), 0};
      const std::size_t status = ZSTD_compressStream(codec_->zstd, &out, &in);
      if (ZSTD_isError(status)) {
        throw std::runtime_error(
            fmt::format("zstd compression failed: {}", ZSTD_getErrorName(status)));
      }
      put(codec_->out.data(), out.pos);
    }
  }
}

void OutputFile::close() {
  flush_buffer();
  if (compression_ == Compression::Gzip) {
    z_stream& z = codec_->gzip;
    int status = Z_OK;
    while (status != Z_STREAM_END) {
      z.next_out = reinterpret_cast<Bytef*>(codec_->out.data());
      z.avail_out = static_cast<uInt>(codec_->out.size());
      status = deflate(&z, Z_FINISH);
      if (status == Z_STREAM_ERROR) throw std::runtime_error("zlib deflate failed");
      put(codec_->out.data(), codec_->out.size() - z.avail_out);
    }
  } else if (compression_ == Compression::Zstd) {
    std::size_t left = 1;
    while (left != 0) {
      ZSTD_outBuffer out{codec_->out.data(), codec_->out.size(), 0};
      left = ZSTD_endStream(codec_->zstd, &out);
      if (ZSTD_isError(left)) throw std::runtime_error("zstd compression failed");
      put(codec_->out.data(), out.pos);
    }
  }
  if (::close(fd_) != 0) {
    fd_ = -1;
    ::unlink(temporary_.c_str());
    throw std::runtime_error(fmt::format("cannot close output file '{}': {}", temporary_.string(),
                                         std::strerror(errno)));
  }
  fd_ = -1;
  std::error_code error;
  std::filesystem::rename(temporary_, path_, error);
  if (error) {
    ::unlink(temporary_.c_str());
    throw std::runtime_error(fmt::format("cannot rename '{}' to '{}': {}", temporary_.string(),
                                         path_.string(), error.message()));
  }
}

}  // namespace curate::io
