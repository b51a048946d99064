#include "curate/python/stage_factory.hpp"

#include "curate/cli/config_error.hpp"
#include "curate/cli/stage_catalogue.hpp"
#include "curate/python/initial_tasks_stage.hpp"
#include "curate/python/python_stage.hpp"

#include <fmt/format.h>

namespace nb = nanobind;

namespace curate::python {

StageRegistry make_registry(nb::list python_stages) {
  StageRegistry registry = cli::make_stage_catalogue();
  registry.add({kPythonStageName,
                "A stage written in Python (curate.stages.base.ProcessingStage)",
                {{"index", nullptr, "position in the list of Python stages given with the run"}},
                [python_stages](StageParams& params) -> StagePtr {
                  const auto index = params.require<std::size_t>("index");
                  if (index >= nb::len(python_stages)) {
                    throw std::invalid_argument(fmt::format("no Python stage {}", index));
                  }
                  return std::make_shared<PythonStage>(python_stages[index]);
                }});
  registry.add({kInitialTasksStageName,
                "The initial tasks given to Pipeline.run: passes them on, with whatever "
                "columns they have",
                {},
                [](StageParams&) -> StagePtr { return std::make_shared<InitialTasksStage>(); }});
  return registry;
}

cli::PipelineConfig parse_document(const std::string& document) {
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(document);
  } catch (const nlohmann::json::exception& error) {
    throw cli::ConfigError(fmt::format("the pipeline's description is not JSON: {}", error.what()));
  }
  cli::SourceMap sources;
  // Errors then read "Pipeline.run: stages[1] (word_count): ...", the index being the
  // stage's position in the Python pipeline.
  sources.set_root_file("Pipeline.run");
  return cli::parse_pipeline_config(std::move(parsed), std::move(sources), "python");
}

}  // namespace curate::python
