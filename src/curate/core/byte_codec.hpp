#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace curate {

/// Append fixed-width little-endian values and length-prefixed strings to a buffer; the
/// wire format of tasks sent between processes. Not thread-safe; one writer per buffer.
class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}

  template <typename T>
  requires std::is_trivially_copyable_v<T>
  void put(T value) { out_.append(reinterpret_cast<const char*>(&value), sizeof(T)); }
  void put_string(std::string_view value) {
    put<uint64_t>(value.size());
    out_.append(value);
  }
  void put_raw(const void* data, std::size_t size) {
    out_.append(static_cast<const char*>(data), size);
  }

 private:
  std::string& out_;
};

/// Read what ByteWriter wrote, throwing std::runtime_error on truncated input.
class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}

  template <typename T>
  requires std::is_trivially_copyable_v<T> T get() {
    T value;
    std::memcpy(&value, take(sizeof(T)).data(), sizeof(T));
    return value;
  }
  std::string_view get_string() { return take(get<uint64_t>()); }
  std::string_view take(std::size_t size) {
    if (size > in_.size() - pos_) {
      throw std::runtime_error("truncated task bytes: wanted " + std::to_string(size) +
                               " bytes at offset " + std::to_string(pos_));
    }
    std::string_view part = in_.substr(pos_, size);
    pos_ += size;
    return part;
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
};

}  // namespace curate
