#include "curate/core/row_block.hpp"

#include <fmt/format.h>

#include <cstring>
#include <stdexcept>

namespace curate {
namespace {

// "CRB1" as a little-endian uint32: a block's bytes start with it, so bytes of some
// other message are rejected at once rather than read as sizes.
constexpr std::uint32_t kMagic = 0x31425243;
constexpr std::size_t kHeaderBytes = 4 + 3 * 8;

void put_u64(char*& out, std::uint64_t value) {
  std::memcpy(out, &value, 8);
  out += 8;
}

std::uint64_t get_u64(const char*& in) {
  std::uint64_t value;
  std::memcpy(&value, in, 8);
  in += 8;
  return value;
}

[[noreturn]] void corrupt(const std::string& what) {
  throw std::runtime_error("corrupt row block bytes: " + what);
}

}  // namespace

RowBlock::RowBlock(std::size_t fixed_width) : fixed_width_(fixed_width) {}

void RowBlock::append(std::string_view row) {
  if (fixed_width_ != 0) {
    if (row.size() != fixed_width_) {
      throw std::invalid_argument(
          fmt::format("row of {} bytes appended to a row block of fixed width {}; route rows "
                      "of exactly row_width() bytes, or return 0 from row_width()",
                      row.size(), fixed_width_));
    }
  }
  payload_.append(row);
  if (fixed_width_ == 0) ends_.push_back(payload_.size());
  ++rows_;
}

void RowBlock::reserve(std::size_t rows, std::size_t bytes) {
  payload_.reserve(payload_.size() + bytes);
  if (fixed_width_ == 0) ends_.reserve(ends_.size() + rows);
}

std::string RowBlock::to_bytes() const {
  const std::size_t offsets_bytes = ends_.size() * 8;
  std::string out(kHeaderBytes + offsets_bytes + payload_.size(), '\0');
  char* cursor = out.data();
  std::memcpy(cursor, &kMagic, 4);
  cursor += 4;
  put_u64(cursor, fixed_width_);
  put_u64(cursor, rows_);
  put_u64(cursor, payload_.size());
  if (offsets_bytes != 0) std::memcpy(cursor, ends_.data(), offsets_bytes);
  cursor += offsets_bytes;
  if (!payload_.empty()) std::memcpy(cursor, payload_.data(), payload_.size());
  return out;
}

RowBlock RowBlock::from_bytes(std::string_view bytes) {
  if (bytes.size() < kHeaderBytes) {
    corrupt(fmt::format("{} bytes, shorter than the {}-byte header", bytes.size(), kHeaderBytes));
  }
  const char* in = bytes.data();
  std::uint32_t magic;
  std::memcpy(&magic, in, 4);
  in += 4;
  if (magic != kMagic) corrupt("the header does not start with the row block magic");
  const std::uint64_t width = get_u64(in);
  const std::uint64_t rows = get_u64(in);
  const std::uint64_t payload = get_u64(in);
  const std::uint64_t available = bytes.size() - kHeaderBytes;
  // Sizes are checked against what is there before anything is multiplied or allocated,
  // so a corrupt header can neither overflow nor ask for a huge buffer.
  const std::uint64_t offsets = width == 0 ? rows : 0;
  if (offsets > available / 8 || payload != available - offsets * 8) {
    corrupt(fmt::format("header says {} rows and {} payload bytes, but {} bytes follow it", rows,
                        payload, available));
  }
  if (width != 0 && (rows > payload / width || rows * width != payload)) {
    corrupt(fmt::format("{} rows of width {} do not make {} payload bytes", rows, width, payload));
  }
  RowBlock block(static_cast<std::size_t>(width));
  block.rows_ = static_cast<std::size_t>(rows);
  if (width == 0) {
    block.ends_.resize(static_cast<std::size_t>(rows));
    if (rows != 0) std::memcpy(block.ends_.data(), in, static_cast<std::size_t>(rows * 8));
    in += rows * 8;
    std::uint64_t previous = 0;
    for (std::uint64_t end : block.ends_) {
      if (end < previous || end > payload)
        corrupt("row offsets are not ascending within the payload");
      previous = end;
    }
    if (previous != payload) corrupt("the last row does not end at the end of the payload");
  }
  block.payload_.assign(in, static_cast<std::size_t>(payload));
  return block;
}

}  // namespace curate
