#include "curate/dedup/removal/removal_list.hpp"

#include "curate/io/input_stream.hpp"
#include "curate/io/line_reader.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <stdexcept>

namespace curate::dedup {
namespace {

constexpr std::size_t kChunkBytes = 4u << 20;
constexpr std::size_t kMaxLineBytes = 1u << 20;

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

std::uint64_t load_removal_list(const std::vector<std::string>& files, IdSet& ids) {
  simdjson::dom::parser parser;
  io::LineReader lines(kChunkBytes, kMaxLineBytes);
  std::uint64_t listed = 0;
  std::string number;
  for (const std::string& file : files) {
    const std::unique_ptr<io::InputStream> input = io::open_input(file);
    lines.reset(*input);
    io::Line line;
    const auto fail = [&](const std::string& what) {
      throw std::runtime_error(fmt::format(
          "{}:{}: bad removal list line: {}; each line must be a JSON object with an \"id\" "
          "(string or integer), as exact_duplicates writes",
          file, line.number, what));
    };
    while (lines.next(line)) {
      if (line.status == io::LineStatus::TooLong) {
        fail(fmt::format("longer than {} bytes", kMaxLineBytes));
      }
      if (line.status == io::LineStatus::Damaged) fail("the compressed stream is damaged");
      if (is_blank(line.bytes)) continue;
      // LineReader pads every line, so simdjson parses it in place.
      simdjson::dom::element root;
      if (const auto error = parser.parse(line.bytes.data(), line.bytes.size(), false).get(root)) {
        fail(fmt::format("not JSON ({})", simdjson::error_message(error)));
      }
      simdjson::dom::object object;
      if (root.get_object().get(object)) fail("not a JSON object");
      simdjson::dom::element id;
      if (object["id"].get(id)) fail("no \"id\" member");
      std::string_view text;
      if (id.is_string()) {
        text = id.get_string().value_unsafe();
      } else if (id.is_int64()) {
        number = std::to_string(id.get_int64().value_unsafe());
        text = number;
      } else if (id.is_uint64()) {
        number = std::to_string(id.get_uint64().value_unsafe());
        text = number;
      } else {
        fail("\"id\" is neither a string nor an integer");
      }
      ids.insert(text);
      ++listed;
    }
  }
  return listed;
}

}  // namespace curate::dedup
