#pragma once

#include "curate/core/executor.hpp"
#include "curate/core/worker_context.hpp"

#include <nlohmann/json.hpp>

namespace curate::backends {

using curate::NodeInfo;
using curate::WorkerAllocation;
using curate::WorkerMetadata;

/// Return true when `CURATOR_IGNORE_RAY_HEAD_NODE` is 1, true or yes (any case).
bool ignore_head_node_from_env();

/// The common part of every executor: its configuration (a JSON object, merged with
/// per-stage `ray_remote_args`) and whether the head node takes no work. The
/// environment variable `CURATOR_IGNORE_RAY_HEAD_NODE` also turns the latter on.
class BaseExecutor : public curate::Executor {
 public:
  explicit BaseExecutor(nlohmann::json config = nlohmann::json::object(),
                        bool ignore_head_node = false);

  const nlohmann::json& config() const { return config_; }
  bool ignore_head_node() const { return ignore_head_node_; }

 private:
  nlohmann::json config_;
  bool ignore_head_node_;
};

}  // namespace curate::backends
