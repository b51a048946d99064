#pragma once

// DocumentBatch to and from the Arrow C data interface (the ABI-stable structs every
// Arrow implementation shares: pyarrow, polars, DuckDB...), so batches cross into other
// libraries without a dependency on any of them. The struct definitions are the
// specification's, guarded by its macros so that a translation unit that also includes
// Arrow's own header sees one definition.

#include "curate/core/document_batch.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

extern "C" {

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;
  void (*release)(struct ArrowSchema*);
  void* private_data;
};

struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;
  void (*release)(struct ArrowArray*);
  void* private_data;
};

#endif  // ARROW_C_DATA_INTERFACE

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

struct ArrowArrayStream {
  int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
  int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
  const char* (*get_last_error)(struct ArrowArrayStream*);
  void (*release)(struct ArrowArrayStream*);
  void* private_data;
};

#endif  // ARROW_C_STREAM_INTERFACE
}

namespace curate {

/// Fill `out` with a stream that yields each of `batches` as one record batch (a struct
/// array, one child per column in column order). Strings become `large_string` over the
/// batch's own buffer and offsets, and int64/float64 columns share their vectors: nothing
/// is copied but bools, which Arrow packs into bits. The stream keeps the batches alive
/// until the consumer releases it. Every batch must have the first one's column names and
/// types (std::invalid_argument naming the batch and column otherwise); no batch gives a
/// stream of no record batch with an empty schema. Called from any thread; the stream
/// itself is used by one consumer thread at a time, as the interface requires.
void export_batch_stream(std::vector<std::shared_ptr<const DocumentBatch>> batches,
                         ArrowArrayStream* out);

/// Read every record batch of `stream` into one DocumentBatch (copied: the producer may
/// reuse its buffers), with `text_field` as its text column, then release the stream.
/// Accepted types: string and large_string, int8/16/32/64 and uint8/16/32 (as int64),
/// float32/64 (as float64) and bool. Throws std::invalid_argument naming the column for
/// another type or for a column with nulls, and std::runtime_error with the producer's
/// message when the stream fails. Called by one thread.
std::shared_ptr<DocumentBatch> import_batch_stream(ArrowArrayStream* stream,
                                                   std::string task_id = "",
                                                   std::string dataset_name = "",
                                                   std::string text_field = "text");

}  // namespace curate
