#include "curate/core/arrow_c_data.hpp"
#include "curate/core/document_batch.hpp"
#include "curate/core/task.hpp"
#include "curate/python/bindings.hpp"

#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>
#include <nlohmann/json.hpp>

#include <fmt/format.h>

namespace nb = nanobind;

namespace curate::python {
namespace {

constexpr const char* kStreamCapsule = "arrow_array_stream";

void delete_stream(void* pointer) noexcept {
  auto* stream = static_cast<ArrowArrayStream*>(pointer);
  if (stream->release) stream->release(stream);
  delete stream;
}

nb::capsule stream_capsule(std::vector<std::shared_ptr<const DocumentBatch>> batches) {
  auto stream = std::make_unique<ArrowArrayStream>();
  export_batch_stream(std::move(batches), stream.get());
  return nb::capsule(stream.release(), kStreamCapsule, &delete_stream);
}

// Take the stream out of `source` (an object with __arrow_c_stream__, or the capsule
// itself): the capsule keeps an empty, released shell, as the PyCapsule protocol asks.
std::shared_ptr<DocumentBatch> import_stream(nb::handle source, std::string task_id,
                                             std::string dataset_name, std::string text_field) {
  nb::object capsule = nb::borrow(source);
  if (nb::hasattr(source, "__arrow_c_stream__")) capsule = source.attr("__arrow_c_stream__")();
  auto* stream =
      static_cast<ArrowArrayStream*>(PyCapsule_GetPointer(capsule.ptr(), kStreamCapsule));
  if (stream == nullptr) {
    PyErr_Clear();
    throw nb::type_error(
        "expected an object with __arrow_c_stream__ (a pyarrow Table, a pandas DataFrame, "
        "...) or an 'arrow_array_stream' capsule");
  }
  ArrowArrayStream owned = *stream;
  stream->release = nullptr;
  nb::gil_scoped_release release;
  return import_batch_stream(&owned, std::move(task_id), std::move(dataset_name),
                             std::move(text_field));
}

nb::list strings_to_list(const DocumentBatch& batch, const std::string& name) {
  const StringColumnView view = batch.strings(name);
  nb::list out;
  for (std::size_t i = 0; i < view.size(); ++i) {
    const std::string_view value = view[i];
    PyObject* text =
        PyUnicode_DecodeUTF8(value.data(), static_cast<Py_ssize_t>(value.size()), "replace");
    if (text == nullptr) throw nb::python_error();
    out.append(nb::steal(text));
  }
  return out;
}

nb::list column_to_list(const DocumentBatch& batch, const std::string& name) {
  switch (batch.column_type(name)) {
    case ColumnType::String:
      return strings_to_list(batch, name);
    case ColumnType::Int64: {
      nb::list out;
      for (int64_t value : batch.int64s(name)) out.append(value);
      return out;
    }
    case ColumnType::Float64: {
      nb::list out;
      for (double value : batch.doubles(name)) out.append(value);
      return out;
    }
    case ColumnType::Bool: {
      nb::list out;
      for (uint8_t value : batch.bools(name)) out.append(value != 0);
      return out;
    }
  }
  return {};
}

// Python's bool is an int and int is not a float, so the first value decides the type.
ColumnData list_to_column(nb::handle values, const std::string& name) {
  const nb::sequence items = nb::borrow<nb::sequence>(values);
  const std::size_t size = nb::len(items);
  auto kind = [&](nb::handle value) {
    if (PyBool_Check(value.ptr())) return ColumnType::Bool;
    if (PyLong_Check(value.ptr())) return ColumnType::Int64;
    if (PyFloat_Check(value.ptr())) return ColumnType::Float64;
    if (PyUnicode_Check(value.ptr())) return ColumnType::String;
    throw nb::type_error(fmt::format("column '{}': values must be str, int, float or bool, not {}",
                                     name,
                                     nb::cast<std::string>(nb::str(value.type().attr("__name__"))))
                             .c_str());
  };
  const ColumnType type = size == 0 ? ColumnType::String : kind(items[0]);
  switch (type) {
    case ColumnType::String: {
      StringColumn column;
      for (nb::handle value : items) {
        Py_ssize_t length = 0;
        const char* text = PyUnicode_AsUTF8AndSize(value.ptr(), &length);
        if (text == nullptr) throw nb::python_error();
        column.append(std::string_view(text, static_cast<std::size_t>(length)));
      }
      return column;
    }
    case ColumnType::Int64: {
      std::vector<int64_t> out;
      out.reserve(size);
      for (nb::handle value : items) out.push_back(nb::cast<int64_t>(value));
      return out;
    }
    case ColumnType::Float64: {
      std::vector<double> out;
      out.reserve(size);
      for (nb::handle value : items) out.push_back(nb::cast<double>(value));
      return out;
    }
    case ColumnType::Bool: {
      std::vector<uint8_t> out;
      out.reserve(size);
      for (nb::handle value : items) out.push_back(nb::cast<bool>(value) ? 1 : 0);
      return out;
    }
  }
  return {};
}

nlohmann::json perf_to_json(const Task& task) {
  nlohmann::json out = nlohmann::json::array();
  for (const StagePerfRecord& record : task.stage_perf()) {
    out.push_back({{"stage_name", record.stage_name},
                   {"process_time", record.process_time_s},
                   {"idle_time", record.idle_time_s},
                   {"num_items_processed", record.items_processed},
                   {"input_size", record.input_size},
                   {"custom_metrics", record.custom_metrics}});
  }
  return out;
}

}  // namespace

void bind_tasks(nb::module_& m) {
  nb::class_<Task>(m, "Task", "A unit of data moving between stages (C++ side).")
      .def_prop_rw("task_id", &Task::task_id,
                   [](Task& task, std::string id) { task.set_task_id(std::move(id)); })
      .def_prop_rw("dataset_name", &Task::dataset_name,
                   [](Task& task, std::string name) { task.set_dataset_name(std::move(name)); })
      .def_prop_ro("num_items", &Task::num_items)
      .def_prop_ro(
          "item_unit", [](const Task& task) { return std::string(task.item_unit()); },
          "The unit num_items counts in (\"documents\", \"files\", ...; \"\" for none).")
      .def_prop_ro("type_name", &Task::type_name)
      .def("validate", &Task::validate)
      .def("metadata_json", [](const Task& task) { return task.metadata().dump(); })
      .def("set_metadata_json",
           [](Task& task, const std::string& text) {
             task.metadata() = nlohmann::json::parse(text);
           })
      .def("stage_perf_json", [](const Task& task) { return perf_to_json(task).dump(); });

  nb::class_<DocumentBatch, Task>(m, "NativeBatch", "A DocumentBatch held by the engine.")
      .def(nb::init<std::string, std::string, std::string>(), nb::arg("task_id") = "",
           nb::arg("dataset_name") = "", nb::arg("text_field") = "text")
      .def_prop_ro("num_rows", &DocumentBatch::num_rows)
      .def_prop_rw(
          "text_field", &DocumentBatch::text_field,
          [](DocumentBatch& batch, std::string name) { batch.set_text_field(std::move(name)); })
      .def("column_names", &DocumentBatch::column_names)
      .def("column_type",
           [](const DocumentBatch& batch, const std::string& name) {
             return std::string(to_string(batch.column_type(name)));
           })
      .def("column", &column_to_list, nb::arg("name"), "Return a column's values as a list.")
      .def(
          "set_column",
          [](DocumentBatch& batch, const std::string& name, nb::handle values) {
            batch.set_column(name, list_to_column(values, name));
          },
          nb::arg("name"), nb::arg("values"), "Add or replace a column from a list.")
      .def("drop_column", &DocumentBatch::drop_column)
      .def(
          "filter_rows",
          [](const DocumentBatch& batch, const std::vector<bool>& keep) {
            if (keep.size() != batch.num_rows()) {
              throw std::invalid_argument(
                  fmt::format("filter_rows: {} flags for {} rows", keep.size(), batch.num_rows()));
            }
            std::vector<uint8_t> flags(keep.begin(), keep.end());
            nb::gil_scoped_release release;
            return batch.filter_rows(flags);
          },
          nb::arg("keep"))
      .def(
          "__arrow_c_stream__",
          [](std::shared_ptr<DocumentBatch> self, nb::handle /*requested_schema*/) {
            return stream_capsule({std::move(self)});
          },
          nb::arg("requested_schema") = nb::none(),
          "Export as an Arrow C stream of one record batch (the text is not copied).")
      .def_static("from_arrow", &import_stream, nb::arg("source"), nb::arg("task_id") = "",
                  nb::arg("dataset_name") = "", nb::arg("text_field") = "text",
                  "Copy an Arrow C stream (any __arrow_c_stream__ object) into a batch.")
      .def("to_bytes",
           [](const DocumentBatch& batch) {
             const std::string bytes = batch.to_bytes();
             return nb::bytes(bytes.data(), bytes.size());
           })
      .def_static("from_bytes", [](nb::bytes data) {
        return DocumentBatch::from_bytes(std::string_view(data.c_str(), data.size()));
      });

  m.def(
      "export_stream",
      [](const std::vector<std::shared_ptr<DocumentBatch>>& batches) {
        return stream_capsule({batches.begin(), batches.end()});
      },
      nb::arg("batches"), "Export batches with the same columns as one Arrow C stream capsule.");

  nb::class_<FileGroupTask, Task>(m, "NativeFileGroupTask")
      .def(nb::init<std::string, std::string, std::vector<std::string>>(), nb::arg("task_id"),
           nb::arg("dataset_name"), nb::arg("files"))
      .def_prop_ro("files", &FileGroupTask::files);

  nb::class_<EmptyTask, Task>(m, "NativeEmptyTask")
      .def(nb::init<std::string, std::string>(), nb::arg("task_id") = "empty",
           nb::arg("dataset_name") = "");
}

}  // namespace curate::python
