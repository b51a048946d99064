#include "output_file.hpp"

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <zlib.h>
#include <zstd.h>

namespace curate::tools {
namespace {

// Fast levels: zlib's default level 6 made a 1 GB gzip corpus take over a minute of CPU,
// and the corpus is for reading back, not for storage.
constexpr int kGzipLevel = 1;
constexpr int kZstdLevel = 3;
constexpr std::size_t kChunk = 1 << 18;

}  // namespace

struct OutputFile::Codec {
  z_stream zlib{};
  gz_header gzip_header{};
  ZSTD_CCtx* zstd = nullptr;
  std::vector<unsigned char> buffer = std::vector<unsigned char>(kChunk);

  ~Codec() {
    if (zstd != nullptr) ZSTD_freeCCtx(zstd);
  }
};

std::string_view compression_suffix(Compression compression) {
  switch (compression) {
    case Compression::kNone:
      return "";
    case Compression::kGzip:
      return ".gz";
    case Compression::kZstd:
      return ".zst";
  }
  return "";
}

OutputFile::OutputFile(std::filesystem::path path, Compression compression)
    : path_(std::move(path)), temporary_(path_.string() + ".tmp"), compression_(compression) {
  file_ = std::fopen(temporary_.c_str(), "wb");
  if (file_ == nullptr) {
    throw std::runtime_error(
        fmt::format("cannot create {}: {}", temporary_.string(), std::strerror(errno)));
  }
  if (compression_ == Compression::kGzip) {
    codec_ = std::make_unique<Codec>();
    // windowBits 15 + 16 asks for a gzip wrapper.
    if (deflateInit2(&codec_->zlib, kGzipLevel, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
      throw std::runtime_error("zlib deflateInit2 failed for " + path_.string());
    }
    codec_->gzip_header.os = 255;  // "unknown", so the bytes do not depend on the OS
    deflateSetHeader(&codec_->zlib, &codec_->gzip_header);
  } else if (compression_ == Compression::kZstd) {
    codec_ = std::make_unique<Codec>();
    codec_->zstd = ZSTD_createCCtx();
    if (codec_->zstd == nullptr ||
        ZSTD_isError(ZSTD_CCtx_setParameter(codec_->zstd, ZSTD_c_compressionLevel, kZstdLevel)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(codec_->zstd, ZSTD_c_checksumFlag, 1))) {
      throw std::runtime_error("zstd set-up failed for " + path_.string());
    }
  }
}

OutputFile::~OutputFile() {
  if (file_ != nullptr) {
    std::fclose(file_);
    std::error_code ignored;
    std::filesystem::remove(temporary_, ignored);
  }
  if (codec_ != nullptr && compression_ == Compression::kGzip) deflateEnd(&codec_->zlib);
}

void OutputFile::put(const void* data, std::size_t size) {
  if (size > 0 && std::fwrite(data, 1, size, file_) != size) {
    throw std::runtime_error(
        fmt::format("cannot write {}: {}", temporary_.string(), std::strerror(errno)));
  }
  bytes_out_ += size;
}

void OutputFile::write(std::string_view bytes) {
  bytes_in_ += bytes.size();
  if (compression_ == Compression::kNone) return put(bytes.data(), bytes.size());
  if (compression_ == Compression::kGzip) {
    z_stream& z = codec_->zlib;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z.avail_in = static_cast<uInt>(bytes.size());
    while (z.avail_in > 0) {
      z.next_out = codec_->buffer.data();
      z.avail_out = static_cast<uInt>(codec_->buffer.size());
      deflate(&z, Z_NO_FLUSH);
      put(codec_->buffer.data(), codec_->buffer.size() - z.avail_out);
    }
    return;
  }
  ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
  while (in.pos < in.size) {
    ZSTD_outBuffer out{codec_->buffer.data(), codec_->buffer.size(), 0};
    const std::size_t rc = ZSTD_compressStream2(codec_->zstd, &out, &in, ZSTD_e_continue);
    if (ZSTD_isError(rc)) throw std::runtime_error(fmt::format("zstd: {}", ZSTD_getErrorName(rc)));
    put(out.dst, out.pos);
  }
}

void OutputFile::close() {
  if (compression_ == Compression::kGzip) {
    z_stream& z = codec_->zlib;
    z.avail_in = 0;
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
      z.next_out = codec_->buffer.data();
      z.avail_out = static_cast<uInt>(codec_->buffer.size());
      rc = deflate(&z, Z_FINISH);
      if (rc == Z_STREAM_ERROR)
        throw std::runtime_error("zlib deflate failed for " + path_.string());
      put(codec_->buffer.data(), codec_->buffer.size() - z.avail_out);
    }
  } else if (compression_ == Compression::kZstd) {
    ZSTD_inBuffer in{nullptr, 0, 0};
    std::size_t remaining = 1;
    while (remaining != 0) {
      ZSTD_outBuffer out{codec_->buffer.data(), codec_->buffer.size(), 0};
      remaining = ZSTD_compressStream2(codec_->zstd, &out, &in, ZSTD_e_end);
      if (ZSTD_isError(remaining)) {
        throw std::runtime_error(fmt::format("zstd: {}", ZSTD_getErrorName(remaining)));
      }
      put(out.dst, out.pos);
    }
  }
  std::FILE* file = file_;
  file_ = nullptr;
  if (std::fclose(file) != 0) {
    throw std::runtime_error(
        fmt::format("cannot close {}: {}", temporary_.string(), std::strerror(errno)));
  }
  std::filesystem::rename(temporary_, path_);
}

}  // namespace curate::tools
