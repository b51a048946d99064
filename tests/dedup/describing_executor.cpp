#include "describing_executor.hpp"

#include "curate/backends/local/local_executor.hpp"
#include "curate/core/document_batch.hpp"
#include "curate/dedup/register_dedup_stages.hpp"
#include "curate/io/register_io_stages.hpp"

#include <stdexcept>

namespace curate::dedup::testing {
namespace {

bool all_zero(const nlohmann::json& counters) {
  for (const auto& [key, value] : counters.items()) {
    if (value != 0) return false;
  }
  return true;
}

}  // namespace

StageRegistry dedup_registry() {
  StageRegistry registry;
  io::register_io_stages(registry);
  register_dedup_stages(registry);
  return registry;
}

DescribingExecutor::DescribingExecutor(const StageRegistry& registry, nlohmann::json local_config)
    : registry_(registry), local_config_(std::move(local_config)) {}

std::vector<TaskPtr> DescribingExecutor::execute(const std::vector<StagePtr>& stages,
                                                 std::vector<TaskPtr> initial_tasks) {
  std::vector<StagePtr> rebuilt;
  std::vector<std::string> names;
  for (const StagePtr& stage : stages) {
    const StageDescription description = stage->describe();
    payload_bytes_ += description.recipe.payload.size();
    StagePtr copy = registry_.rebuild(description.to_bytes());
    if (copy == stage || !all_zero(copy->counters())) {
      throw std::logic_error("stage '" + stage->name() + "' was not rebuilt with fresh counters");
    }
    names.push_back(copy->name());
    rebuilt.push_back(std::move(copy));
  }
  runs_.push_back(std::move(names));
  backends::LocalExecutor local(local_config_);
  std::vector<TaskPtr> outputs = local.execute(rebuilt, std::move(initial_tasks));
  for (std::size_t i = 0; i < stages.size(); ++i) stages[i]->merge_counters(rebuilt[i]->counters());
  for (TaskPtr& output : outputs) {
    if (const auto* batch = dynamic_cast<const DocumentBatch*>(output.get())) {
      output = DocumentBatch::from_bytes(batch->to_bytes());
    }
  }
  return outputs;
}

}  // namespace curate::dedup::testing
