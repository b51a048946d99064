#include "curate/io/compression.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace curate::io {
namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Compression compression_from_path(std::string_view path) {
  if (ends_with(path, ".gz")) return Compression::Gzip;
  if (ends_with(path, ".zst")) return Compression::Zstd;
  return Compression::None;
}

Compression compression_from_name(std::string_view name) {
  const std::string key = lower(name);
  if (key.empty() || key == "none") return Compression::None;
  if (key == "gzip" || key == "gz") return Compression::Gzip;
  if (key == "zstd" || key == "zst") return Compression::Zstd;
  throw std::invalid_argument(
      fmt::format("unknown compression '{}'; use one of none, gzip, zstd", name));
}

std::string_view compression_suffix(Compression compression) {
  switch (compression) {
    case Compression::Gzip:
      return ".gz";
    case Compression::Zstd:
      return ".zst";
    case Compression::None:
      break;
  }
  return "";
}

std::string_view to_string(Compression compression) {
  switch (compression) {
    case Compression::Gzip:
      return "gzip";
    case Compression::Zstd:
      return "zstd";
    case Compression::None:
      break;
  }
  return "none";
}

std::uint64_t parse_byte_size(std::string_view text) {
  auto fail = [&]() {
    return std::invalid_argument(fmt::format(
        "'{}' is not a byte size; write a number of bytes or e.g. \"64MB\", \"1GiB\"", text));
  };
  std::size_t begin = 0;
  while (begin < text.size() && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  double number = 0;
  // std::from_chars for double is in libstdc++ 11+, so no locale is involved.
  const auto [end, error] = std::from_chars(text.data() + begin, text.data() + text.size(), number);
  if (error != std::errc() || !(number >= 0) || std::isinf(number)) throw fail();
  std::string unit = lower(std::string_view(end, text.data() + text.size() - end));
  std::erase_if(unit, [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
  static constexpr struct {
    std::string_view name;
    double factor;
  } kUnits[] = {{"", 1},
                {"b", 1},
                {"kb", 1e3},
                {"mb", 1e6},
                {"gb", 1e9},
                {"tb", 1e12},
                {"k", 1024.0},
                {"m", 1024.0 * 1024},
                {"g", 1024.0 * 1024 * 1024},
                {"t", 1024.0 * 1024 * 1024 * 1024},
                {"kib", 1024.0},
                {"mib", 1024.0 * 1024},
                {"gib", 1024.0 * 1024 * 1024},
                {"tib", 1024.0 * 1024 * 1024 * 1024}};
  for (const auto& candidate : kUnits) {
    if (candidate.name == unit) {
      const double bytes = std::round(number * candidate.factor);
      if (bytes > 1.8e19) throw fail();
      return static_cast<std::uint64_t>(bytes);
    }
  }
  throw fail();
}

}  // namespace curate::io
