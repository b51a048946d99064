#include "curate/io/register_io_stages.hpp"

#include "curate/io/file_partitioning_stage.hpp"
#include "curate/io/jsonl_reader_stage.hpp"
#include "curate/io/jsonl_writer_stage.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace curate::io {
namespace {

using nlohmann::json;

std::invalid_argument bad_param(const StageParams& params, const std::string& key,
                                const std::string& expected) {
  return std::invalid_argument(
      fmt::format("stage '{}': parameter '{}' must be {}", params.stage_name(), key, expected));
}

// A string or a list of strings.
std::vector<std::string> string_list(StageParams& params, const std::string& key, bool required) {
  const json value = required ? params.require<json>(key) : params.get<json>(key, json());
  if (value.is_null()) return {};
  if (value.is_string()) return {value.get<std::string>()};
  std::vector<std::string> out;
  if (value.is_array()) {
    for (const auto& item : value) {
      if (!item.is_string()) break;
      out.push_back(item.get<std::string>());
    }
    if (out.size() == value.size()) return out;
  }
  throw bad_param(params, key, "a string or a list of strings");
}

// A byte count: an integer, or a string such as "64MB".
std::optional<std::uint64_t> byte_size(StageParams& params, const std::string& key) {
  const json value = params.get<json>(key, json());
  if (value.is_null()) return std::nullopt;
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_string()) {
    try {
      return parse_byte_size(value.get<std::string>());
    } catch (const std::invalid_argument& error) {
      throw bad_param(params, key, fmt::format("a byte size ({})", error.what()));
    }
  }
  throw bad_param(params, key, "a positive number of bytes or a size such as \"64MB\"");
}

FilePartitioningOptions partitioning_options(StageParams& params) {
  FilePartitioningOptions options;
  options.paths = string_list(params, "paths", true);
  const json per_partition = params.get<json>("files_per_partition", json());
  if (!per_partition.is_null()) {
    if (!per_partition.is_number_integer())
      throw bad_param(params, "files_per_partition", "an integer");
    options.files_per_partition = per_partition.get<int>();
  }
  options.blocksize = byte_size(params, "blocksize");
  auto extensions = string_list(params, "file_extensions", false);
  if (!extensions.empty()) options.extensions = std::move(extensions);
  return options;
}

const std::vector<StageParamInfo> kPartitioningParams = {
    {"paths", json(), "input files, folders (searched recursively) or glob patterns"},
    {"files_per_partition", json(), "files per reading task (default 1 when blocksize is unset)"},
    {"blocksize", json(),
     "bytes on disk per reading task, e.g. 512MB (instead of "
     "files_per_partition)"},
    {"file_extensions", default_jsonl_extensions(), "name endings searched for in folders"},
};

}  // namespace

void register_io_stages(StageRegistry& registry) {
  registry.add(StageRegistration{
      "file_partitioning", "Expand input paths into groups of files (the source of a reader)",
      kPartitioningParams, [](StageParams& params) -> StagePtr {
        return std::make_shared<FilePartitioningStage>(partitioning_options(params));
      }});

  std::vector<StageParamInfo> reader_params = kPartitioningParams;
  const JsonlReaderOptions defaults;
  reader_params.insert(
      reader_params.end(),
      {{"fields", json::array(), "extra record fields copied into typed columns"},
       {"text_field", defaults.schema.text_field, "the field holding the document text"},
       {"id_field", defaults.schema.id_field,
        "the id field; records without one get <hash of file path>-<line>"},
       {"batch_rows", defaults.batch_rows, "records per batch at most"},
       {"batch_bytes", defaults.batch_bytes, "bytes of lines per batch at most (e.g. 64MB)"},
       {"max_line_bytes", defaults.max_line_bytes, "longer lines are skipped as bad records"},
       {"strict", false, "stop at the first bad record instead of skipping it"},
       {"add_dedup_id", false,
        "add the int64 column _curate_dedup_id: (file ordinal << 40) | line, the same for any "
        "worker count or grouping"},
       {"log_dir", "", "folder for errors.jsonl (bad records); empty: count and log only"}});
  registry.add(StageRegistration{
      "jsonl_reader", "Read JSONL files (plain, .gz, .zst) into document batches", reader_params,
      [](StageParams& params) -> StagePtr {
        FilePartitioningOptions partitioning = partitioning_options(params);
        JsonlReaderOptions options;
        options.schema.fields = string_list(params, "fields", false);
        options.schema.text_field =
            params.get<std::string>("text_field", options.schema.text_field);
        options.schema.id_field = params.get<std::string>("id_field", options.schema.id_field);
        options.batch_rows = params.get<std::size_t>("batch_rows", options.batch_rows);
        options.batch_bytes = byte_size(params, "batch_bytes").value_or(options.batch_bytes);
        options.max_line_bytes =
            byte_size(params, "max_line_bytes").value_or(options.max_line_bytes);
        options.strict = params.get<bool>("strict", options.strict);
        options.add_dedup_id = params.get<bool>("add_dedup_id", options.add_dedup_id);
        options.log_dir = params.get<std::string>("log_dir", options.log_dir);
        return std::make_shared<JsonlReader>(std::move(partitioning), std::move(options));
      }});

  // The reading half alone, as the JSONL reader's expansion describes it (recipe()).
  registry.add_rebuilder(std::string(kJsonlReaderStageType),
                         [](StageParams& params, std::string_view payload) -> StagePtr {
                           if (!payload.empty()) throw bad_param(params, "payload", "empty");
                           JsonlReaderOptions options;
                           options.schema.text_field = params.require<std::string>("text_field");
                           options.schema.id_field = params.require<std::string>("id_field");
                           options.schema.fields =
                               params.require<std::vector<std::string>>("fields");
                           options.batch_rows = params.require<std::size_t>("batch_rows");
                           options.batch_bytes = params.require<std::size_t>("batch_bytes");
                           options.max_line_bytes = params.require<std::size_t>("max_line_bytes");
                           options.chunk_bytes = params.require<std::size_t>("chunk_bytes");
                           options.strict = params.require<bool>("strict");
                           options.add_dedup_id = params.require<bool>("add_dedup_id");
                           options.log_dir = params.require<std::string>("log_dir");
                           return std::make_shared<JsonlReaderStage>(std::move(options));
                         });

  registry.add(StageRegistration{
      "jsonl_writer",
      "Write document batches as JSONL, one file per batch, unchanged fields byte for byte",
      {{"output_dir", json(), "folder for the output files"},
       {"compression", "none", "none, gzip or zstd"},
       {"compression_level", 0, "codec level; 0 is the default (gzip 6, zstd 3)"},
       {"drop_fields", json::array(), "fields and columns to leave out"},
       {"write_internal_columns", false, "also write curate's _curate_* columns (dedup id...)"}},
      [](StageParams& params) -> StagePtr {
        JsonlWriterOptions options;
        options.output_dir = params.require<std::string>("output_dir");
        try {
          options.compression =
              compression_from_name(params.get<std::string>("compression", "none"));
        } catch (const std::invalid_argument& error) {
          throw bad_param(params, "compression", "none, gzip or zstd");
        }
        options.compression_level = params.get<int>("compression_level", 0);
        options.drop_fields = string_list(params, "drop_fields", false);
        options.write_internal_columns = params.get<bool>("write_internal_columns", false);
        return std::make_shared<JsonlWriterStage>(std::move(options));
      }});
}

}  // namespace curate::io
