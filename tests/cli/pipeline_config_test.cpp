#include "curate/cli/pipeline_config.hpp"
#include "cli_test_util.hpp"
#include "curate/cli/config_error.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace curate::cli {
namespace {

using nlohmann::json;
using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::TempDir;
using testing::write_file;

const char* kPipeline = R"(name: sample
executor: {type: local, config: {queue_capacity: 4}}
stages:
  - stage: jsonl_reader
    name: read
    params: {paths: data/in, files_per_partition: 2}
  - stage: heuristic_filter
    params: {filters: [{name: word_count, min_words: 5}]}
  - stage: jsonl_writer
    params: {output_dir: out}
)";

// Loads `yaml` from a file and returns the ConfigError message ("" when it loads).
std::string load_error(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  TempDir dir;
  write_file(dir / "pipeline.yaml", yaml);
  try {
    load_pipeline_config(dir / "pipeline.yaml", sets);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

TEST(ApplySet, AddressesListElementsByIndexNameOrStage) {
  json document =
      json::parse(R"({"stages": [{"stage": "jsonl_reader", "name": "read", "params": {}},
                                             {"stage": "jsonl_writer", "params": {"output_dir": "a"}}]})");
  apply_set(document, "stages.0.params.paths=data/x");
  apply_set(document, "stages.read.params.files_per_partition=4");
  apply_set(document, "stages.jsonl_writer.params.output_dir=b");
  apply_set(document, "executor.config.queue_capacity=16");
  EXPECT_EQ(document["stages"][0]["params"]["paths"], json("data/x"));
  EXPECT_EQ(document["stages"][0]["params"]["files_per_partition"], json(4));
  EXPECT_EQ(document["stages"][1]["params"]["output_dir"], json("b"));
  EXPECT_EQ(document["executor"]["config"]["queue_capacity"], json(16));
}

TEST(ApplySet, ParsesTheValueAsYaml) {
  json document = json::object();
  apply_set(document, "a.flag=true");
  apply_set(document, "a.ratio=0.5");
  apply_set(document, "a.text='007'");
  apply_set(document, "a.list=[x, y]");
  apply_set(document, "a.with_equals=k=v");
  EXPECT_EQ(document["a"], json::parse(R"({"flag": true, "ratio": 0.5, "text": "007",
                                            "list": ["x", "y"], "with_equals": "k=v"})"));
}

TEST(ApplySet, ExplainsBadAssignments) {
  json document = json::parse(R"({"stages": [{"stage": "jsonl_reader"}], "name": "x"})");
  auto error_of = [&](const std::string& assignment) -> std::string {
    try {
      apply_set(document, assignment);
    } catch (const ConfigError& error) {
      return error.what();
    }
    return "";
  };
  EXPECT_THAT(error_of("no_equals_sign"), HasSubstr("expected key=value"));
  EXPECT_THAT(
      error_of("stages.jsonl_redaer.params.x=1"),
      AllOf(HasSubstr("--set stages.jsonl_redaer"), HasSubstr("did you mean 'jsonl_reader'")));
  EXPECT_THAT(error_of("stages.5.params.x=1"), HasSubstr("past the end of a list of 1"));
  EXPECT_THAT(error_of("name.first=1"), HasSubstr("has no field 'first'"));
}

TEST(LoadPipelineConfig, ReadsEveryField) {
  TempDir dir;
  write_file(dir / "pipeline.yaml", std::string(kPipeline) + R"(    resources: {cpus: 2}
    batch_size: 3
    num_workers: 2
    stage_spec: {max_calls_per_worker: 10}
)");
  const PipelineConfig config =
      load_pipeline_config(dir / "pipeline.yaml", {"stages.read.params.paths=data/other"});
  EXPECT_EQ(config.name, "sample");
  EXPECT_EQ(config.executor.type, "local");
  EXPECT_EQ(config.executor.config, json::parse(R"({"queue_capacity": 4})"));
  ASSERT_EQ(config.stages.size(), 3u);
  EXPECT_EQ(config.stages[0].stage, "jsonl_reader");
  EXPECT_EQ(config.stages[0].overrides.name, "read");
  EXPECT_EQ(config.stages[0].params["paths"], json("data/other"));
  EXPECT_EQ(config.stages[0].location.line, 4);
  EXPECT_EQ(config.stages[0].label(), "stages[0] 'read' (jsonl_reader)");
  EXPECT_EQ(config.stages[1].label(), "stages[1] (heuristic_filter)");
  const OverrideSpec& writer = config.stages[2].overrides;
  EXPECT_EQ(writer.cpus, 2.0);
  EXPECT_EQ(writer.batch_size, 3);
  EXPECT_EQ(writer.num_workers, 2);
  EXPECT_EQ(writer.stage_spec, json::parse(R"({"max_calls_per_worker": 10})"));
}

TEST(LoadPipelineConfig, DefaultsTheNameToTheFileStem) {
  TempDir dir;
  write_file(dir / "my_pipeline.yaml",
             "stages: [{stage: jsonl_writer, params: {output_dir: o}}]\n");
  EXPECT_EQ(load_pipeline_config(dir / "my_pipeline.yaml").name, "my_pipeline");
}

TEST(LoadPipelineConfig, RejectsAnUnknownTopLevelKeyWithFileLineAndClosestName) {
  const std::string error = load_error(std::string(kPipeline) + "stagse: []\n");
  EXPECT_THAT(error, AllOf(HasSubstr("pipeline.yaml:11"), HasSubstr("unknown key 'stagse'"),
                           HasSubstr("did you mean 'stages'")));
}

TEST(LoadPipelineConfig, RejectsAnUnknownStageEntryKey) {
  std::string yaml = kPipeline;
  yaml.replace(yaml.find("    name: read"), 14, "    nmae: read");
  const std::string error = load_error(yaml);
  EXPECT_THAT(error, AllOf(HasSubstr("pipeline.yaml:5"), HasSubstr("stages[0] (jsonl_reader)"),
                           HasSubstr("unknown key 'nmae'"), HasSubstr("did you mean 'name'")));
}

TEST(LoadPipelineConfig, RejectsBadOverrides) {
  const std::string base = std::string(kPipeline);
  EXPECT_THAT(load_error(base + "    resources: {cpu: 2}\n"),
              AllOf(HasSubstr("pipeline.yaml:11"), HasSubstr("stages[2] (jsonl_writer)"),
                    HasSubstr("unknown key 'cpu' in resources"), HasSubstr("did you mean 'cpus'")));
  EXPECT_THAT(load_error(base + "    resources: {cpus: -1}\n"),
              HasSubstr("resources.cpus must be a number >= 0"));
  EXPECT_THAT(
      load_error(base + "    batch_size: 0\n"),
      AllOf(HasSubstr("pipeline.yaml:11"), HasSubstr("'batch_size' must be a positive integer")));
  EXPECT_THAT(load_error(base + "    num_workers: two\n"),
              HasSubstr("'num_workers' must be a positive integer"));
  EXPECT_THAT(load_error(base + "    stage_spec: {max_calls_per_workr: 3}\n"),
              AllOf(HasSubstr("unknown key 'max_calls_per_workr' in stage_spec"),
                    HasSubstr("did you mean 'max_calls_per_worker'")));
  EXPECT_THAT(load_error(base + "    stage_spec: {max_calls_per_worker: many}\n"),
              HasSubstr("max_calls_per_worker"));
  EXPECT_THAT(load_error(base + "    sub_stages: {x: {batch_sise: 2}}\n"),
              AllOf(HasSubstr("sub-stage 'x'"), HasSubstr("did you mean 'batch_size'")));
}

TEST(LoadPipelineConfig, RejectsMissingOrEmptyStagesAndBadEntries) {
  EXPECT_THAT(load_error("name: x\n"), HasSubstr("'stages' must be a non-empty list"));
  EXPECT_THAT(load_error("stages: []\n"), HasSubstr("'stages' must be a non-empty list"));
  EXPECT_THAT(load_error("stages: [{params: {}}]\n"),
              HasSubstr("missing 'stage: <registered stage name>'"));
  EXPECT_THAT(load_error("stages: [jsonl_reader]\n"), HasSubstr("a stage entry must be a mapping"));
  EXPECT_THAT(load_error("- a\n- b\n"), HasSubstr("a pipeline file must be a mapping"));
  EXPECT_THAT(load_error("executor: {typ: local}\nstages: [{stage: x}]\n"),
              AllOf(HasSubstr("pipeline.yaml:1"), HasSubstr("did you mean 'type'")));
}

TEST(LoadPipelineConfig, AppliesSetsBeforeChecking) {
  EXPECT_THAT(load_error(kPipeline, {"stages.read.batch_size=0"}),
              HasSubstr("'batch_size' must be a positive integer"));
  EXPECT_EQ(load_error(kPipeline, {"stages.read.batch_size=2"}), "");
}

TEST(PipelineFingerprint, DependsOnStagesAndParamsOnly) {
  TempDir dir;
  write_file(dir / "pipeline.yaml", kPipeline);
  const auto base = pipeline_fingerprint(load_pipeline_config(dir / "pipeline.yaml"));
  EXPECT_EQ(base, pipeline_fingerprint(load_pipeline_config(
                      dir / "pipeline.yaml",
                      {"executor.config.queue_capacity=9", "stages.read.num_workers=3"})));
  EXPECT_NE(base, pipeline_fingerprint(load_pipeline_config(
                      dir / "pipeline.yaml", {"stages.jsonl_writer.params.output_dir=o2"})));
}

}  // namespace
}  // namespace curate::cli
