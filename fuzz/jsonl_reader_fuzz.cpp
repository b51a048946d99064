// libFuzzer target for the JSONL reading path: arbitrary bytes go through the
// decompressors, the line splitter, the record parser and the batch builder, and every
// batch is written back by the encoder, both unchanged and patched. Besides crashes and
// sanitizer reports it checks two properties:
//   - unchanged records come back byte for byte (the output equals the accepted lines);
//   - patched records (new text, an added column) are still one valid JSON object each.
// Built and run by scripts/fuzz.sh.

#include "curate/io/batch_builder.hpp"
#include "curate/io/input_stream.hpp"
#include "curate/io/jsonl_encoder.hpp"
#include "curate/io/line_reader.hpp"
#include "curate/io/record_parser.hpp"

#include <simdjson.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

using namespace curate;
using namespace curate::io;

void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
  }
}

std::string gzip(std::string_view bytes) {
  z_stream z{};
  deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, bytes.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string zstd(std::string_view bytes) {
  std::string out(ZSTD_compressBound(bytes.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), bytes.data(), bytes.size(), 1));
  return out;
}

// Write `batch` unchanged (must equal `accepted`) and patched (must stay valid JSON).
void round_trip(const std::shared_ptr<DocumentBatch>& batch, const std::string& accepted) {
  JsonlEncoder encoder;
  std::string out;
  encoder.encode(*batch, [&](std::string_view bytes) { out.append(bytes); });
  check(out == accepted, "unchanged records are written byte for byte");

  auto patched = batch->slice(0, batch->num_rows());
  StringColumn text;
  std::vector<double> score;
  for (std::size_t row = 0; row < batch->num_rows(); ++row) {
    text.append(row % 2 == 0 ? std::string(batch->text()[row]) + "\"\\\n\x01" : "");
    score.push_back(static_cast<double>(row) / 3.0);
  }
  patched->set_column(batch->text_field(), std::move(text));
  patched->set_column("score", std::move(score));
  JsonlEncoder dropping({"id"});
  out.clear();
  dropping.encode(*patched, [&](std::string_view bytes) { out.append(bytes); });
  static simdjson::dom::parser parser;
  std::size_t lines = 0, begin = 0;
  while (begin < out.size()) {
    const std::size_t end = out.find('\n', begin);
    check(end != std::string::npos, "every written record ends with a newline");
    simdjson::dom::element element;
    const std::string line = out.substr(begin, end - begin);
    check(parser.parse(line).get(element) == simdjson::SUCCESS && element.is_object(),
          "patched records are JSON objects");
    simdjson::dom::element value;
    check(element.at_key("score").get(value) == simdjson::SUCCESS, "added columns are written");
    ++lines;
    begin = end + 1;
  }
  check(lines == batch->num_rows(), "one line per record");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // Two control bytes: compression and where to cut, then chunk and line limits.
  const std::uint8_t mode = data[0];
  const std::uint8_t limits = data[1];
  std::string_view payload(reinterpret_cast<const char*>(data + 2), size - 2);

  std::string stored;
  Compression compression = Compression::None;
  switch (mode & 3) {
    case 1:
      compression = Compression::Gzip;
      stored = gzip(payload);
      break;
    case 2:
      compression = Compression::Zstd;
      stored = zstd(payload);
      break;
    case 3:
      compression = (mode & 4) ? Compression::Zstd : Compression::Gzip;
      stored = std::string(payload);
      break;  // raw bytes as compressed data
    default:
      stored = std::string(payload);
      break;
  }
  if ((mode & 3) == 1 || (mode & 3) == 2) {
    // Cut the compressed stream somewhere: the truncation paths.
    if (mode & 8) stored.resize(stored.size() * (mode >> 4) / 16);
  }

  auto stream = open_decompressing_stream(open_memory_stream(stored), compression);
  LineReader lines(4096 + (limits & 15) * 1000, 1 + (limits >> 4) * 300);
  lines.reset(*stream);
  static const RecordSchema schema{"text", "id", {"id", "n", "meta"}};
  // Reused across inputs, as a reader instance reuses them across files.
  static RecordParser parser(schema);
  BatchBuilder builder(schema);
  ParsedRecord record;
  std::string accepted;
  const EmptyTask parent("fuzz");
  Line line;
  std::size_t batches = 0;
  while (lines.next(line)) {
    if (line.status != LineStatus::Ok || RecordParser::is_blank(line.bytes)) continue;
    if (parser.parse(line.bytes, record)) continue;
    // As the reader does: a batch whose raw lines are one run in the line buffer ends
    // when the buffer changes, so every path of the zero-copy `_raw` is fuzzed.
    if (builder.rows() > 0 && !builder.continues_in(lines.chunk(), "fuzz.jsonl")) {
      round_trip(builder.finish(parent, std::to_string(batches++)), accepted);
      accepted.clear();
    }
    builder.add(line.bytes, lines.chunk(), record, "fuzz.jsonl", line.number);
    accepted.append(line.bytes);
    accepted += '\n';
    if (builder.rows() == 7) {
      round_trip(builder.finish(parent, std::to_string(batches++)), accepted);
      accepted.clear();
    }
  }
  if (builder.rows() > 0) round_trip(builder.finish(parent, "last"), accepted);
  return 0;
}
