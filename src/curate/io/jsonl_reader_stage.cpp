#include "curate/io/jsonl_reader_stage.hpp"

#include "curate/io/allocator_tuning.hpp"
#include "curate/io/batch_builder.hpp"
#include "curate/io/dedup_id.hpp"
#include "curate/io/jsonl_format.hpp"
#include "curate/io/line_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace curate::io {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

BadRecordReason damage_reason(StreamDamage damage) {
  return damage == StreamDamage::Truncated ? BadRecordReason::TruncatedCompressedStream
                                           : BadRecordReason::CorruptCompressedStream;
}

}  // namespace

struct JsonlReaderStage::Scratch {
  explicit Scratch(const JsonlReaderOptions& options)
      : lines(std::max(options.chunk_bytes, options.batch_bytes), options.max_line_bytes),
        parser(options.schema),
        builder(options.schema, options.add_dedup_id) {}

  LineReader lines;
  RecordParser parser;
  BatchBuilder builder;
  ParsedRecord record;
  std::uint64_t rows_seen = 0;
  std::uint64_t bytes_seen = 0;
};

JsonlReaderStage::JsonlReaderStage(JsonlReaderOptions options, std::string name)
    : CloneableStage(std::move(name)), options_(std::move(options)) {
  auto fail = [&](const std::string& message) {
    throw std::invalid_argument(fmt::format("stage '{}': {}", this->name(), message));
  };
  const RecordSchema& schema = options_.schema;
  if (schema.text_field.empty()) fail("text_field must not be empty");
  if (schema.id_field.empty()) fail("id_field must not be empty");
  if (schema.text_field == schema.id_field) {
    fail(fmt::format("text_field and id_field are both '{}'; they must differ", schema.id_field));
  }
  if (options_.batch_rows == 0) fail("batch_rows must be at least 1");
  if (options_.batch_bytes == 0) fail("batch_bytes must be at least 1");
  if (options_.max_line_bytes == 0) fail("max_line_bytes must be at least 1");
  if (options_.add_dedup_id) {
    for (const std::string& field : {schema.text_field, schema.id_field}) {
      if (field == kDedupIdColumn) fail(fmt::format("'{}' is the dedup id column's name", field));
    }
    for (const std::string& field : schema.fields) {
      if (field == kDedupIdColumn) fail(fmt::format("'{}' is the dedup id column's name", field));
    }
  }
  sink_ = std::make_shared<BadRecordSink>(options_.log_dir);
  // Now, on the thread that builds the pipeline: the arena limit binds only threads
  // that have not allocated yet, and the executor's workers start later.
  tune_allocator_for_batches();
}

JsonlReaderStage::JsonlReaderStage(const JsonlReaderStage& other)
    : CloneableStage(other), options_(other.options_), sink_(other.sink_) {}

JsonlReaderStage::~JsonlReaderStage() = default;

JsonlReaderStage::Scratch& JsonlReaderStage::scratch() {
  if (!scratch_) scratch_ = std::make_unique<Scratch>(options_);
  return *scratch_;
}

void JsonlReaderStage::setup(const WorkerMetadata&) { scratch(); }

void JsonlReaderStage::teardown() { scratch_.reset(); }

StageIO JsonlReaderStage::outputs() const {
  StageIO io;
  io.columns = {options_.schema.text_field, options_.schema.id_field, std::string(kRawColumn),
                std::string(kTextAsReadColumn)};
  io.columns.insert(io.columns.end(), options_.schema.fields.begin(), options_.schema.fields.end());
  if (options_.add_dedup_id) io.columns.emplace_back(kDedupIdColumn);
  io.any_columns = true;
  return io;
}

StageSpec JsonlReaderStage::ray_stage_spec() const {
  StageSpec spec;
  spec.set(StageSpecKey::IsFanoutStage, true);
  return spec;
}

namespace {

const FileGroupTask& as_file_group(const Task* task, const std::string& stage) {
  const auto* group = dynamic_cast<const FileGroupTask*>(task);
  if (group == nullptr) {
    throw std::invalid_argument(fmt::format("stage '{}' reads FileGroupTasks, got a {} ('{}')",
                                            stage, task ? task->type_name() : "null task",
                                            task ? task->task_id() : ""));
  }
  return *group;
}

}  // namespace

std::vector<TaskPtr> JsonlReaderStage::process(TaskPtr task) {
  std::vector<TaskPtr> out;
  read_group(as_file_group(task.get(), name()), [&](std::shared_ptr<DocumentBatch> batch) {
    out.push_back(std::move(batch));
    return true;
  });
  return out;
}

void JsonlReaderStage::process_stream(TaskPtr task, const OutputSink& emit) {
  read_group(as_file_group(task.get(), name()),
             [&](std::shared_ptr<DocumentBatch> batch) { return emit(std::move(batch)); });
}

bool JsonlReaderStage::read_group(const FileGroupTask& group,
                                  const std::function<bool(std::shared_ptr<DocumentBatch>)>& emit) {
  Scratch& s = scratch();
  // A call that threw (strict mode, an unreadable file) may have left rows behind.
  if (s.builder.rows() > 0 || s.builder.bad_records() > 0) s.builder.finish(group, "");
  std::size_t emitted = 0;
  // Return false when the receiver wants no more batches.
  auto flush = [&]() {
    return emit(s.builder.finish(group, fmt::format("{}_{}", group.task_id(), emitted++)));
  };
  auto bad = [&](const std::string& file, std::uint64_t line, BadRecordReason reason) {
    sink_->report(file, line, reason);
    s.builder.note_bad(reason);
    if (options_.strict) {
      throw std::runtime_error(fmt::format("{}:{}: {} (strict mode stops at the first bad record)",
                                           file, line, to_string(reason)));
    }
  };

  const auto& ordinals = group.file_ordinals();
  if (options_.add_dedup_id && ordinals.size() != group.files().size()) {
    throw std::invalid_argument(fmt::format(
        "stage '{}': add_dedup_id needs each file's ordinal in the input listing, but task '{}' "
        "has {} ordinals for {} files; read through a FilePartitioningStage (jsonl_reader)",
        name(), group.task_id(), ordinals.size(), group.files().size()));
  }
  for (std::size_t file_index = 0; file_index < group.files().size(); ++file_index) {
    const std::string& file = group.files()[file_index];
    const std::unique_ptr<InputStream> input = open_input(file);
    s.lines.reset(*input);
    std::uint64_t file_bytes = 0;
    auto reserve = [&]() {
      // Size the next batch from what is left of the file and the lines seen so far.
      std::uint64_t expected = options_.batch_bytes;
      const std::uint64_t hint = input->size_hint();
      if (hint > file_bytes) expected = std::min<std::uint64_t>(expected, hint - file_bytes);
      if (s.rows_seen > 0) {
        expected = std::min<std::uint64_t>(
            expected, options_.batch_rows * (s.bytes_seen / s.rows_seen + 1) + 4096);
      }
      s.builder.reserve(static_cast<std::size_t>(expected));
    };
    if (s.builder.rows() == 0) reserve();
    Line line;
    while (s.lines.next(line)) {
      if (line.status == LineStatus::TooLong) {
        bad(file, line.number, BadRecordReason::LineTooLong);
        continue;
      }
      if (line.status == LineStatus::Damaged) {
        bad(file, line.number, damage_reason(input->damage()));
        continue;
      }
      std::string_view bytes = line.bytes;
      if (line.number == 1 && bytes.starts_with(kUtf8Bom)) bytes.remove_prefix(kUtf8Bom.size());
      if (RecordParser::is_blank(bytes)) continue;
      if (const auto reason = s.parser.parse(bytes, s.record)) {
        bad(file, line.number, *reason);
        continue;
      }
      // End the batch before it would pass batch_bytes, so the columns never outgrow
      // what `reserve` gave them (a regrowth copies the whole batch).
      // The same for the next line of a file in a new read buffer: the batch's raw lines
      // stay one run in the old buffer, which the batch keeps instead of a copy of them.
      const std::shared_ptr<char[]>& chunk = s.lines.chunk();
      if (s.builder.rows() > 0 && (s.builder.bytes() + bytes.size() + 1 > options_.batch_bytes ||
                                   !s.builder.continues_in(chunk, file))) {
        if (!flush()) return false;
        reserve();
      }
      s.builder.add(bytes, chunk, s.record, file, line.number);
      if (options_.add_dedup_id)
        s.builder.add_dedup_id(make_dedup_id(ordinals[file_index], line.number));
      file_bytes += bytes.size() + 1;
      s.bytes_seen += bytes.size() + 1;
      ++s.rows_seen;
      if (s.builder.rows() >= options_.batch_rows) {
        if (!flush()) return false;
        reserve();
      }
    }
  }
  if (s.builder.rows() > 0) return flush();
  // Bad records after the last full batch are in errors.jsonl and the sink's counts; an
  // empty batch only to carry them would reach every downstream stage.
  s.builder.finish(group, "");
  return true;
}

JsonlReader::JsonlReader(FilePartitioningOptions partitioning, JsonlReaderOptions reading,
                         std::string name)
    : CloneableStage(std::move(name)),
      partitioning_(std::make_shared<FilePartitioningStage>(std::move(partitioning))),
      reader_(std::make_shared<JsonlReaderStage>(std::move(reading))) {}

std::vector<StagePtr> JsonlReader::decompose() const {
  return {partitioning_->clone(), reader_->clone()};
}

StageRecipe JsonlReaderStage::recipe() const {
  return {std::string(kJsonlReaderStageType),
          {{"text_field", options_.schema.text_field},
           {"id_field", options_.schema.id_field},
           {"fields", options_.schema.fields},
           {"batch_rows", options_.batch_rows},
           {"batch_bytes", options_.batch_bytes},
           {"max_line_bytes", options_.max_line_bytes},
           {"chunk_bytes", options_.chunk_bytes},
           {"strict", options_.strict},
           {"add_dedup_id", options_.add_dedup_id},
           {"log_dir", options_.log_dir}},
          {}};
}

nlohmann::json JsonlReaderStage::counters() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [reason, count] : sink_->counts()) out[reason] = count;
  return out;
}

void JsonlReaderStage::merge_counters(const nlohmann::json& counters) {
  if (counters.is_null()) return;
  try {
    sink_->add_counts(counters.get<std::map<std::string, std::uint64_t>>());
  } catch (const std::exception& error) {
    throw std::invalid_argument(fmt::format("stage '{}': cannot merge counters {}: {}", name(),
                                            counters.dump(), error.what()));
  }
}

}  // namespace curate::io
