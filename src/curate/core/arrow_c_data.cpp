#include "curate/core/arrow_c_data.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace curate {
namespace {

// Arrow wants a valid pointer for a buffer of a zero-length array; empty vectors may
// have none, so they point here instead.
alignas(64) constexpr uint64_t kEmptyBuffer[1] = {0};

const char* arrow_format(ColumnType type) {
  switch (type) {
    case ColumnType::String:
      return "U";  // large_string: 64-bit offsets, as StringColumn's
    case ColumnType::Int64:
      return "l";
    case ColumnType::Float64:
      return "g";
    case ColumnType::Bool:
      return "b";
  }
  return "";
}

const void* or_empty(const void* pointer) { return pointer ? pointer : kEmptyBuffer; }

// ---- export: schema ----

struct SchemaPrivate {
  std::vector<std::string> names;
  std::vector<ArrowSchema> children;
  std::vector<ArrowSchema*> child_pointers;
};

void release_child_schema(ArrowSchema* schema) { schema->release = nullptr; }

void release_root_schema(ArrowSchema* schema) {
  auto* state = static_cast<SchemaPrivate*>(schema->private_data);
  for (ArrowSchema* child : state->child_pointers) {
    if (child->release) child->release(child);
  }
  delete state;
  schema->release = nullptr;
}

void fill_schema(const std::vector<std::string>& names, const std::vector<ColumnType>& types,
                 ArrowSchema* out) {
  auto* state = new SchemaPrivate{names, std::vector<ArrowSchema>(names.size()), {}};
  for (std::size_t i = 0; i < names.size(); ++i) {
    ArrowSchema& child = state->children[i];
    child = ArrowSchema{arrow_format(types[i]),
                        state->names[i].c_str(),
                        nullptr,
                        0,
                        0,
                        nullptr,
                        nullptr,
                        &release_child_schema,
                        nullptr};
    state->child_pointers.push_back(&child);
  }
  *out = ArrowSchema{"+s",
                     "",
                     nullptr,
                     0,
                     static_cast<int64_t>(names.size()),
                     state->child_pointers.data(),
                     nullptr,
                     &release_root_schema,
                     state};
}

// ---- export: arrays ----

// Each child owns what it points into (a frozen view of the batch, the packed bools), so
// a consumer may move a child out and release it on its own, as the interface allows.
struct ChildPrivate {
  std::shared_ptr<const DocumentBatch> batch;
  std::vector<uint8_t> bits;
  const void* buffers[3] = {nullptr, nullptr, nullptr};
};

void release_child_array(ArrowArray* array) {
  delete static_cast<ChildPrivate*>(array->private_data);
  array->release = nullptr;
}

struct RootPrivate {
  std::vector<ArrowArray> children;
  std::vector<ArrowArray*> child_pointers;
  const void* buffers[1] = {nullptr};
};

void release_root_array(ArrowArray* array) {
  auto* state = static_cast<RootPrivate*>(array->private_data);
  for (ArrowArray* child : state->child_pointers) {
    if (child->release) child->release(child);
  }
  delete state;
  array->release = nullptr;
}

ArrowArray export_column(const std::shared_ptr<const DocumentBatch>& batch, const std::string& name,
                         ColumnType type) {
  auto* state = new ChildPrivate{batch, {}, {}};
  const auto rows = static_cast<int64_t>(batch->num_rows());
  ArrowArray out{rows, 0, 0, 2, 0, state->buffers, nullptr, nullptr, &release_child_array, state};
  switch (type) {
    case ColumnType::String: {
      const StringColumnView view = batch->strings(name);
      const StringColumn* column = view.column();
      // The window's rows are rows [offset, offset + size) of the shared column: Arrow's
      // array offset says the same, so neither the text nor the offsets are copied.
      out.offset = static_cast<int64_t>(view.offset());
      out.n_buffers = 3;
      state->buffers[1] = or_empty(column ? column->offsets().data() : nullptr);
      state->buffers[2] = or_empty(column ? column->bytes().data() : nullptr);
      break;
    }
    case ColumnType::Int64:
      state->buffers[1] = or_empty(batch->int64s(name).data());
      break;
    case ColumnType::Float64:
      state->buffers[1] = or_empty(batch->doubles(name).data());
      break;
    case ColumnType::Bool: {
      const std::span<const uint8_t> values = batch->bools(name);
      state->bits.assign((values.size() + 7) / 8, 0);
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (values[i]) state->bits[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
      }
      state->buffers[1] = or_empty(state->bits.data());
      break;
    }
  }
  return out;
}

// ---- export: stream ----

struct StreamPrivate {
  std::vector<std::shared_ptr<const DocumentBatch>> batches;
  std::vector<std::string> names;
  std::vector<ColumnType> types;
  std::size_t next = 0;
  std::string last_error;
};

int stream_get_schema(ArrowArrayStream* stream, ArrowSchema* out) {
  auto* state = static_cast<StreamPrivate*>(stream->private_data);
  try {
    fill_schema(state->names, state->types, out);
    return 0;
  } catch (const std::exception& error) {
    state->last_error = error.what();
    return EIO;
  }
}

int stream_get_next(ArrowArrayStream* stream, ArrowArray* out) {
  auto* state = static_cast<StreamPrivate*>(stream->private_data);
  if (state->next == state->batches.size()) {
    std::memset(out, 0, sizeof(*out));  // released: the end of the stream
    return 0;
  }
  try {
    const auto& source = state->batches[state->next];
    // A private view that nobody else holds, so a later set_column on the caller's batch
    // cannot free a column that Arrow still points into.
    std::shared_ptr<const DocumentBatch> frozen = source->slice(0, source->num_rows());
    auto* root = new RootPrivate;
    root->children.reserve(state->names.size());
    for (std::size_t i = 0; i < state->names.size(); ++i) {
      root->children.push_back(export_column(frozen, state->names[i], state->types[i]));
    }
    for (ArrowArray& child : root->children) root->child_pointers.push_back(&child);
    *out = ArrowArray{static_cast<int64_t>(frozen->num_rows()),
                      0,
                      0,
                      1,
                      static_cast<int64_t>(root->children.size()),
                      root->buffers,
                      root->child_pointers.data(),
                      nullptr,
                      &release_root_array,
                      root};
    ++state->next;
    return 0;
  } catch (const std::exception& error) {
    state->last_error = error.what();
    return EIO;
  }
}

const char* stream_last_error(ArrowArrayStream* stream) {
  auto* state = static_cast<StreamPrivate*>(stream->private_data);
  return state->last_error.empty() ? nullptr : state->last_error.c_str();
}

void stream_release(ArrowArrayStream* stream) {
  delete static_cast<StreamPrivate*>(stream->private_data);
  stream->release = nullptr;
}

// ---- import ----

template <typename T>
struct Releaser {
  T* value;
  ~Releaser() {
    if (value->release) value->release(value);
  }
};

bool bit(const void* bits, int64_t index) {
  return (static_cast<const uint8_t*>(bits)[index / 8] >> (index % 8)) & 1;
}

void reject_nulls(const ArrowArray& array, int64_t start, int64_t rows, const std::string& name) {
  if (array.null_count == 0 || array.n_buffers == 0 || array.buffers[0] == nullptr) return;
  for (int64_t i = 0; i < rows; ++i) {
    if (!bit(array.buffers[0], start + i)) {
      throw std::invalid_argument(fmt::format(
          "column '{}' has null values (row {}); curate's columns hold none: fill them first "
          "(pyarrow.compute.fill_null, or pandas' fillna)",
          name, i));
    }
  }
}

template <typename Offset>
StringColumn import_strings(const ArrowArray& array, int64_t start, int64_t rows) {
  const auto* offsets = static_cast<const Offset*>(array.buffers[1]);
  const char* data = static_cast<const char*>(array.buffers[2]);
  const auto first = rows == 0 ? 0 : static_cast<uint64_t>(offsets[start]);
  const auto last = rows == 0 ? 0 : static_cast<uint64_t>(offsets[start + rows]);
  std::vector<uint64_t> rebased(static_cast<std::size_t>(rows) + 1, 0);
  for (int64_t i = 0; i <= rows && rows > 0; ++i) {
    rebased[static_cast<std::size_t>(i)] = static_cast<uint64_t>(offsets[start + i]) - first;
  }
  return StringColumn::from_parts(std::string(data ? data + first : "", last - first),
                                  std::move(rebased));
}

template <typename T>
std::vector<int64_t> widen(const ArrowArray& array, int64_t start, int64_t rows) {
  const auto* values = static_cast<const T*>(array.buffers[1]);
  return std::vector<int64_t>(values + start, values + start + rows);
}

template <typename T>
std::vector<double> widen_float(const ArrowArray& array, int64_t start, int64_t rows) {
  const auto* values = static_cast<const T*>(array.buffers[1]);
  return std::vector<double>(values + start, values + start + rows);
}

ColumnData import_column(std::string_view format, const ArrowArray& array, int64_t start,
                         int64_t rows, const std::string& name) {
  reject_nulls(array, start, rows, name);
  if (format == "u") return import_strings<int32_t>(array, start, rows);
  if (format == "U") return import_strings<int64_t>(array, start, rows);
  if (format == "l") return widen<int64_t>(array, start, rows);
  if (format == "i") return widen<int32_t>(array, start, rows);
  if (format == "s") return widen<int16_t>(array, start, rows);
  if (format == "c") return widen<int8_t>(array, start, rows);
  if (format == "I") return widen<uint32_t>(array, start, rows);
  if (format == "S") return widen<uint16_t>(array, start, rows);
  if (format == "C") return widen<uint8_t>(array, start, rows);
  if (format == "g") return widen_float<double>(array, start, rows);
  if (format == "f") return widen_float<float>(array, start, rows);
  if (format == "b") {
    std::vector<uint8_t> out(static_cast<std::size_t>(rows));
    for (int64_t i = 0; i < rows; ++i)
      out[static_cast<std::size_t>(i)] = bit(array.buffers[1], start + i);
    return out;
  }
  throw std::invalid_argument(fmt::format(
      "column '{}' has Arrow type '{}', which curate does not hold; curate takes strings, "
      "integers up to 64 bits (unsigned up to 32), floats and bools: cast it first",
      name, format));
}

ColumnData empty_column(std::string_view format, const std::string& name) {
  ArrowArray none{};
  const void* buffers[3] = {nullptr, kEmptyBuffer, kEmptyBuffer};
  none.buffers = buffers;
  none.n_buffers = 3;
  return import_column(format, none, 0, 0, name);
}

}  // namespace

void export_batch_stream(std::vector<std::shared_ptr<const DocumentBatch>> batches,
                         ArrowArrayStream* out) {
  auto state = std::make_unique<StreamPrivate>();
  if (!batches.empty()) {
    state->names = batches.front()->column_names();
    for (const auto& name : state->names)
      state->types.push_back(batches.front()->column_type(name));
  }
  for (std::size_t b = 1; b < batches.size(); ++b) {
    const std::vector<std::string> names = batches[b]->column_names();
    bool same = names == state->names;
    for (std::size_t i = 0; same && i < names.size(); ++i) {
      same = batches[b]->column_type(names[i]) == state->types[i];
    }
    if (!same) {
      throw std::invalid_argument(fmt::format(
          "batch {} ('{}') has other columns than the first: every batch of one Arrow stream "
          "needs the same column names and types",
          b, batches[b]->task_id()));
    }
  }
  state->batches = std::move(batches);
  *out = ArrowArrayStream{&stream_get_schema, &stream_get_next, &stream_last_error, &stream_release,
                          state.release()};
}

std::shared_ptr<DocumentBatch> import_batch_stream(ArrowArrayStream* stream, std::string task_id,
                                                   std::string dataset_name,
                                                   std::string text_field) {
  Releaser<ArrowArrayStream> stream_guard{stream};
  auto fail = [&](int code) {
    const char* message = stream->get_last_error ? stream->get_last_error(stream) : nullptr;
    return std::runtime_error(
        fmt::format("reading an Arrow stream failed: {}", message ? message : std::strerror(code)));
  };
  ArrowSchema schema{};
  if (const int code = stream->get_schema(stream, &schema); code != 0) throw fail(code);
  Releaser<ArrowSchema> schema_guard{&schema};
  if (std::string_view(schema.format) != "+s") {
    throw std::invalid_argument(fmt::format(
        "an Arrow stream of '{}' arrays is no table: a DocumentBatch takes record batches",
        schema.format));
  }
  std::vector<std::string> names;
  std::vector<std::string> formats;
  for (int64_t i = 0; i < schema.n_children; ++i) {
    names.emplace_back(schema.children[i]->name ? schema.children[i]->name : "");
    formats.emplace_back(schema.children[i]->format);
  }

  std::vector<std::shared_ptr<DocumentBatch>> chunks;
  while (true) {
    ArrowArray array{};
    if (const int code = stream->get_next(stream, &array); code != 0) throw fail(code);
    if (array.release == nullptr) break;
    Releaser<ArrowArray> array_guard{&array};
    auto chunk = std::make_shared<DocumentBatch>(task_id, dataset_name, text_field);
    for (std::size_t i = 0; i < names.size(); ++i) {
      const ArrowArray& child = *array.children[i];
      chunk->set_column(names[i], import_column(formats[i], child, array.offset + child.offset,
                                                array.length, names[i]));
    }
    chunks.push_back(std::move(chunk));
  }
  std::shared_ptr<DocumentBatch> out;
  if (chunks.empty()) {
    out = std::make_shared<DocumentBatch>(task_id, dataset_name, text_field);
    for (std::size_t i = 0; i < names.size(); ++i) {
      out->set_column(names[i], empty_column(formats[i], names[i]));
    }
  } else if (chunks.size() == 1) {
    out = std::move(chunks.front());
  } else {
    out = DocumentBatch::concat(chunks);
    out->set_task_id(std::move(task_id));
    out->set_dataset_name(std::move(dataset_name));
    out->set_text_field(std::move(text_field));
  }
  return out;
}

}  // namespace curate
