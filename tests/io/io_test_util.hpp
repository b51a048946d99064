#pragma once

// Helpers shared by the io tests: a temporary folder, file and compression helpers,
// and a one-call reader over paths.

#include "curate/core/document_batch.hpp"
#include "curate/io/jsonl_reader_stage.hpp"
#include "support/temp_dir.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace curate::io::testing {

using curate::testing::read_file;
using curate::testing::TempDir;
using curate::testing::write_file;

/// Return `bytes` as one gzip member / one zstd frame.
std::string gzip_bytes(std::string_view bytes);
std::string zstd_bytes(std::string_view bytes);
/// Return the decompressed content of a .gz/.zst/plain file.
std::string read_decompressed(const std::string& path);
/// Parse each line of `text` as JSON.
std::vector<nlohmann::json> parse_lines(std::string_view text);

/// Read `paths` with a JsonlReader's two stages, as an executor would, and return the
/// batches in order.
std::vector<std::shared_ptr<DocumentBatch>> read_all(const FilePartitioningOptions& partitioning,
                                                     const JsonlReaderOptions& reading);
/// Same, with default options and one file per group.
std::vector<std::shared_ptr<DocumentBatch>> read_all(const std::vector<std::string>& paths,
                                                     JsonlReaderOptions reading = {});
/// Return every value of string column `name` over `batches`, in order.
std::vector<std::string> column_values(const std::vector<std::shared_ptr<DocumentBatch>>& batches,
                                       const std::string& name);

}  // namespace curate::io::testing
