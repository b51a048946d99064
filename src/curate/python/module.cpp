// curate._curate: the C++ engine as the Python package sees it. Bindings only; the
// Python side (python/curate) gives it NeMo Curator's shape.
#include "curate/cli/config_error.hpp"
#include "curate/cli/version.hpp"
#include "curate/python/bindings.hpp"

#include <nanobind/nanobind.h>

namespace nb = nanobind;

NB_MODULE(_curate, m) {
  m.doc() = "curate's C++ engine (bindings; use the curate package)";
  m.attr("__version__") = curate::cli::kCurateVersion;
  // A configuration mistake is the caller's to fix: ValueError, with the engine's message.
  // Every other std::runtime_error (a failed run) stays RuntimeError, nanobind's default.
  nb::register_exception_translator([](const std::exception_ptr& error, void*) {
    try {
      std::rethrow_exception(error);
    } catch (const curate::cli::ConfigError& config_error) {
      PyErr_SetString(PyExc_ValueError, config_error.what());
    }
  });
  curate::python::bind_tasks(m);
  curate::python::bind_pipeline(m);
  curate::python::bind_backends(m);
  curate::python::bind_dedup(m);
  curate::python::bind_ray(m);
  curate::python::bind_describe(m);
  curate::python::bind_cli(m);
  curate::python::bind_ray_record(m);
}
