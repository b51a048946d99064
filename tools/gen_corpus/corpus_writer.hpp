#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "curate/io/compression.hpp"
#include "curate/io/output_file.hpp"
#include "text_generator.hpp"

namespace curate::tools {

using io::Compression;
using io::OutputFile;

/// Write JSONL records into one file or into part files of a directory.
///
/// A record is one line:
/// {"id":"doc-N","text":"...","source":"gen_corpus","url":"https://example.com/N",
///  "quality":"good","word_count":W}
/// where W is the number of whitespace-separated words of the text. Text is escaped
/// by hand (quote, backslash, control characters; UTF-8 passes through), because
/// building a JSON object per document would dominate the run time. Records are
/// buffered and handed to the OutputFile in 1 MiB blocks. Single-threaded.
class CorpusWriter {
 public:
  /// Write to the file `output` (`parts` == 0) or to `parts` files
  /// "<output>/part-00000.jsonl<suffix>" ... (`parts` >= 1; the directory is created).
  CorpusWriter(std::filesystem::path output, std::size_t parts, Compression compression);
  ~CorpusWriter();

  /// Close the current part file and open part `index`, which must be higher than
  /// the current one; skipped parts are created empty. No-op for a single file.
  void switch_part(std::size_t index);

  /// Append the record of corpus position `position`.
  void write_record(std::uint64_t position, std::string_view text, Quality quality);

  /// Flush, create the parts not yet opened (so there are always `parts` files) and
  /// close everything. Call once, after the last record.
  void finish();

  /// Return the JSONL bytes written so far (before compression), buffered included.
  std::uint64_t bytes_in() const { return bytes_done_ + buffer_.size(); }
  /// Return the bytes on disk; final only after finish().
  std::uint64_t bytes_out() const { return bytes_out_; }
  /// Return the number of files written or being written.
  std::size_t files() const { return parts_ == 0 ? 1 : parts_; }

 private:
  void open_part(std::size_t index);
  void close_current();
  void flush();

  std::filesystem::path output_;
  std::size_t parts_;
  Compression compression_;
  std::size_t part_ = 0;
  std::unique_ptr<OutputFile> file_;
  std::string buffer_;
  std::uint64_t bytes_done_ = 0;  // flushed into files, all parts together
  std::uint64_t bytes_out_ = 0;   // on disk, closed files only
};

/// Return the name of part `index`: "part-00000.jsonl" plus the compression suffix.
std::string part_file_name(std::size_t index, Compression compression);

}  // namespace curate::tools
