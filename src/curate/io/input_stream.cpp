#include "curate/io/input_stream.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace curate::io {
namespace {

class FileInputStream final : public InputStream {
 public:
  explicit FileInputStream(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      throw std::runtime_error(
          fmt::format("cannot open input file '{}': {}", path_, std::strerror(errno)));
    }
    struct stat info {};
    if (::fstat(fd_, &info) == 0 && S_ISREG(info.st_mode)) {
      size_ = static_cast<std::uint64_t>(info.st_size);
      // The reader consumes each file once, front to back: let the kernel read ahead.
      ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
  }
  ~FileInputStream() override { ::close(fd_); }
  FileInputStream(const FileInputStream&) = delete;
  FileInputStream& operator=(const FileInputStream&) = delete;

  std::size_t read(char* out, std::size_t size) override {
    std::size_t done = 0;
    // Fill the request fully (short reads happen on pipes and network file systems), so
    // callers see 0 only at the real end.
    while (done < size) {
      const ssize_t got = ::read(fd_, out + done, size - done);
      if (got < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(
            fmt::format("cannot read input file '{}': {}", path_, std::strerror(errno)));
      }
      if (got == 0) break;
      done += static_cast<std::size_t>(got);
    }
    return done;
  }

  std::uint64_t size_hint() const override { return size_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

class MemoryInputStream final : public InputStream {
 public:
  explicit MemoryInputStream(std::string_view bytes) : bytes_(bytes) {}

  std::size_t read(char* out, std::size_t size) override {
    const std::size_t count = std::min(size, bytes_.size() - position_);
    if (count > 0) std::memcpy(out, bytes_.data() + position_, count);
    position_ += count;
    return count;
  }

  std::uint64_t size_hint() const override { return bytes_.size(); }

 private:
  std::string_view bytes_;
  std::size_t position_ = 0;
};

}  // namespace

// Defined in decompressing_stream.cpp, which holds the zlib and zstd code.
std::unique_ptr<InputStream> make_gzip_stream(std::unique_ptr<InputStream> compressed);
std::unique_ptr<InputStream> make_zstd_stream(std::unique_ptr<InputStream> compressed);

std::unique_ptr<InputStream> open_file_stream(const std::string& path) {
  return std::make_unique<FileInputStream>(path);
}

std::unique_ptr<InputStream> open_memory_stream(std::string_view bytes) {
  return std::make_unique<MemoryInputStream>(bytes);
}

std::unique_ptr<InputStream> open_decompressing_stream(std::unique_ptr<InputStream> compressed,
                                                       Compression compression) {
  switch (compression) {
    case Compression::Gzip:
      return make_gzip_stream(std::move(compressed));
    case Compression::Zstd:
      return make_zstd_stream(std::move(compressed));
    case Compression::None:
      break;
  }
  return compressed;
}

std::unique_ptr<InputStream> open_input(const std::string& path) {
  return open_decompressing_stream(open_file_stream(path), compression_from_path(path));
}

}  // namespace curate::io
