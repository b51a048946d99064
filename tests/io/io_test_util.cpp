#include "io_test_util.hpp"

#include "curate/io/input_stream.hpp"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace curate::io::testing {

std::string gzip_bytes(std::string_view bytes) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2");
  }
  std::string out(deflateBound(&z, bytes.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate");
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string zstd_bytes(std::string_view bytes) {
  std::string out(ZSTD_compressBound(bytes.size()), '\0');
  const std::size_t size = ZSTD_compress(out.data(), out.size(), bytes.data(), bytes.size(), 3);
  if (ZSTD_isError(size)) throw std::runtime_error("ZSTD_compress");
  out.resize(size);
  return out;
}

std::string read_decompressed(const std::string& path) {
  auto stream = open_input(path);
  std::string out;
  char buffer[4096];
  while (const std::size_t got = stream->read(buffer, sizeof buffer)) out.append(buffer, got);
  return out;
}

std::vector<nlohmann::json> parse_lines(std::string_view text) {
  std::vector<nlohmann::json> out;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(nlohmann::json::parse(text.substr(begin, end - begin)));
    begin = end + 1;
  }
  return out;
}

std::vector<std::shared_ptr<DocumentBatch>> read_all(const FilePartitioningOptions& partitioning,
                                                     const JsonlReaderOptions& reading) {
  JsonlReader reader(partitioning, reading);
  const auto stages = reader.decompose();
  std::vector<std::shared_ptr<DocumentBatch>> out;
  for (const auto& group : stages[0]->process(std::make_shared<EmptyTask>())) {
    for (const auto& task : stages[1]->process(group)) {
      auto batch = std::dynamic_pointer_cast<DocumentBatch>(task);
      if (!batch) throw std::runtime_error("reader emitted a non-batch");
      out.push_back(std::move(batch));
    }
  }
  return out;
}

std::vector<std::shared_ptr<DocumentBatch>> read_all(const std::vector<std::string>& paths,
                                                     JsonlReaderOptions reading) {
  FilePartitioningOptions partitioning;
  partitioning.paths = paths;
  return read_all(partitioning, reading);
}

std::vector<std::string> column_values(const std::vector<std::shared_ptr<DocumentBatch>>& batches,
                                       const std::string& name) {
  std::vector<std::string> out;
  for (const auto& batch : batches) {
    const auto column = batch->strings(name);
    for (std::size_t row = 0; row < column.size(); ++row) out.emplace_back(column[row]);
  }
  return out;
}

}  // namespace curate::io::testing
