#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <vector>

namespace curate::python {

/// While alive, send the engine's log records to Python's `logging.getLogger("curate")`
/// (through `curate._bridge.emit_log`) instead of stderr: the default logger's sinks are
/// swapped for one Python sink, and every worker logger made during the scope shares it.
/// Created and destroyed by the driver thread around a run, with the GIL held; records
/// may come from any thread, each taking the GIL for its call only.
class PythonLogScope {
 public:
  PythonLogScope();
  ~PythonLogScope();
  PythonLogScope(const PythonLogScope&) = delete;
  PythonLogScope& operator=(const PythonLogScope&) = delete;

 private:
  std::vector<spdlog::sink_ptr> previous_;
};

}  // namespace curate::python
