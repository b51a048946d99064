#include "curate/python/python_log_sink.hpp"

#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

namespace nb = nanobind;

namespace curate::python {
namespace {

// No mutex of its own: the GIL serialises the calls, and a sink lock held while waiting
// for the GIL would deadlock against a driver thread that holds the GIL and logs.
class PythonSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (!Py_IsInitialized()) return;
    nb::gil_scoped_acquire gil;
    try {
      nb::module_::import_("curate._bridge")
          .attr("emit_log")(static_cast<int>(msg.level),
                            std::string(msg.logger_name.data(), msg.logger_name.size()),
                            std::string(msg.payload.data(), msg.payload.size()));
    } catch (nb::python_error& error) {
      error.discard_as_unraisable("curate: forwarding a log record to Python");
    }
  }
  void flush_() override {}
};

}  // namespace

PythonLogScope::PythonLogScope() {
  auto& sinks = spdlog::default_logger()->sinks();
  previous_ = sinks;
  sinks.assign(1, std::make_shared<PythonSink>());
}

PythonLogScope::~PythonLogScope() { spdlog::default_logger()->sinks() = previous_; }

}  // namespace curate::python
