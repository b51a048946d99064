#include "corpus_writer.hpp"

#include <array>

#include <fmt/format.h>

namespace curate::tools {
namespace {

constexpr std::size_t kFlushBytes = 1 << 20;

// Byte classes for the two scans of a text: kSpace marks what separates words,
// kEscape what JSON strings must escape. Table look-ups keep both per-byte loops short
// and branch-light: this is the hottest code after the word draw.
constexpr auto kSpace = [] {
  std::array<std::uint8_t, 256> table{};
  for (unsigned char c : {' ', '\n', '\t', '\r'}) table[c] = 1;
  return table;
}();
constexpr auto kEscape = [] {
  std::array<std::uint8_t, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = 1;
  table['"'] = 1;
  table['\\'] = 1;
  return table;
}();

std::uint64_t count_words(std::string_view text) {
  std::uint64_t words = 0;
  std::uint8_t previous_space = 1;
  for (const char c : text) {
    const std::uint8_t space = kSpace[static_cast<unsigned char>(c)];
    words += previous_space & (space ^ 1);
    previous_space = space;
  }
  return words;
}

// Append `text` as the inside of a JSON string; safe runs are copied in bulk.
void append_escaped(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t run_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (kEscape[c] == 0) continue;
    out.append(text.data() + run_start, i - run_start);
    run_start = i + 1;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\r':
        out.append("\\r");
        break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
  }
  out.append(text.data() + run_start, text.size() - run_start);
}

}  // namespace

std::string part_file_name(std::size_t index, Compression compression) {
  return fmt::format("part-{:05d}.jsonl{}", index, compression_suffix(compression));
}

CorpusWriter::CorpusWriter(std::filesystem::path output, std::size_t parts, Compression compression)
    : output_(std::move(output)), parts_(parts), compression_(compression) {
  buffer_.reserve(kFlushBytes + (1 << 16));
  if (parts_ > 0) {
    std::filesystem::create_directories(output_);
  } else if (output_.has_parent_path()) {
    std::filesystem::create_directories(output_.parent_path());
  }
  open_part(0);
}

CorpusWriter::~CorpusWriter() = default;

void CorpusWriter::open_part(std::size_t index) {
  part_ = index;
  const auto path = parts_ == 0 ? output_ : output_ / part_file_name(index, compression_);
  // zlib level 1: a generated corpus is written once, and level 1 keeps gzip from
  // being the generator's bottleneck.
  file_ =
      std::make_unique<OutputFile>(path, compression_, compression_ == Compression::Gzip ? 1 : 0);
}

void CorpusWriter::close_current() {
  flush();
  file_->close();
  bytes_out_ += file_->bytes_out();
  file_.reset();
}

void CorpusWriter::flush() {
  file_->write(buffer_);
  bytes_done_ += buffer_.size();
  buffer_.clear();
}

void CorpusWriter::switch_part(std::size_t index) {
  if (parts_ == 0 || index == part_) return;
  close_current();
  for (std::size_t skipped = part_ + 1; skipped < index; ++skipped) {
    open_part(skipped);
    close_current();
  }
  open_part(index);
}

void CorpusWriter::write_record(std::uint64_t position, std::string_view text, Quality quality) {
  fmt::format_to(std::back_inserter(buffer_), R"({{"id":"doc-{}","text":")", position);
  append_escaped(text, buffer_);
  const std::uint64_t words = count_words(text);
  fmt::format_to(std::back_inserter(buffer_),
                 R"(","source":"gen_corpus","url":"https://example.com/{}","quality":"{}",)"
                 R"("word_count":{}}})"
                 "\n",
                 position, quality_name(quality), words);
  if (buffer_.size() >= kFlushBytes) flush();
}

void CorpusWriter::finish() {
  if (parts_ > 0 && part_ + 1 < parts_) switch_part(parts_ - 1);
  close_current();
}

}  // namespace curate::tools
