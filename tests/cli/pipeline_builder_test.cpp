#include "curate/cli/pipeline_builder.hpp"
#include "cli_test_util.hpp"
#include "curate/cli/config_error.hpp"
#include "curate/cli/stage_catalogue.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace curate::cli {
namespace {

using nlohmann::json;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempDir;
using testing::write_file;

class PipelineBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override { testing::write_documents(dir_ / "in/a.jsonl", 4, "a"); }

  // Writes a pipeline whose first line is the reader, then `rest`.
  std::string yaml_of(const std::string& reader_extra, const std::string& rest) const {
    return "name: built\nstages:\n  - stage: jsonl_reader\n    params: {paths: " +
           (dir_ / "in").string() + "}\n" + reader_extra + rest;
  }

  PipelineConfig load(const std::string& yaml) const {
    write_file(dir_ / "pipeline.yaml", yaml);
    return load_pipeline_config(dir_ / "pipeline.yaml");
  }

  std::string build_error(const std::string& yaml) const {
    try {
      build_pipeline(load(yaml), registry_);
    } catch (const ConfigError& error) {
      return error.what();
    }
    return "";
  }

  TempDir dir_;
  StageRegistry registry_ = make_stage_catalogue();
};

const char* kFilterAndWriter = R"(  - stage: heuristic_filter
    params: {filters: [{name: word_count, min_words: 5}]}
  - stage: jsonl_writer
    params: {output_dir: out}
)";

TEST_F(PipelineBuilderTest, BuildsStagesInFileOrderWithCompositesExpanded) {
  const Pipeline pipeline = build_pipeline(load(yaml_of("", kFilterAndWriter)), registry_);
  std::vector<std::string> names;
  for (const auto& stage : pipeline.build()) names.push_back(stage->name());
  EXPECT_EQ(names, (std::vector<std::string>{"file_partitioning", "jsonl_reader",
                                             "heuristic_filter", "jsonl_writer"}));
}

TEST_F(PipelineBuilderTest, UnknownStageNamesFileLineStageAndClosestName) {
  const std::string error = build_error(yaml_of("", "  - stage: heuristic_filtr\n"));
  EXPECT_THAT(error, AllOf(HasSubstr("pipeline.yaml:5"), HasSubstr("stages[1] (heuristic_filtr)"),
                           HasSubstr("unknown stage 'heuristic_filtr'"),
                           HasSubstr("did you mean 'heuristic_filter'")));
}

TEST_F(PipelineBuilderTest, UnknownParameterNamesItsLineAndClosestName) {
  const std::string error = build_error(yaml_of("", R"(  - stage: jsonl_writer
    name: write
    params:
      output_dir: out
      compresion: gzip
)"));
  EXPECT_THAT(
      error,
      AllOf(HasSubstr("pipeline.yaml:9"), HasSubstr("stages[1] 'write' (jsonl_writer)"),
            HasSubstr("unknown parameter 'compresion'"), HasSubstr("did you mean 'compression'")));
  EXPECT_THAT(error, Not(HasSubstr("stage 'jsonl_writer': ")));
}

TEST_F(PipelineBuilderTest, AnErrorInAnIncludedRuleSetNamesTheIncludedFileAndLine) {
  write_file(dir_ / "rules.yaml", "- {name: word_count, min_words: 3}\n- {name: urls_rato}\n");
  const std::string error = build_error(yaml_of("", R"(  - stage: heuristic_filter
    params: {filters: {include: rules.yaml}}
)"));
  EXPECT_THAT(error, AllOf(HasSubstr("rules.yaml:2: stages[1] (heuristic_filter): "),
                           HasSubstr("unknown filter 'urls_rato'"),
                           HasSubstr("did you mean 'urls_ratio'")));
}

TEST_F(PipelineBuilderTest, MissingInputIsAConfigErrorNamingTheStage) {
  write_file(dir_ / "pipeline.yaml",
             "stages:\n  - stage: jsonl_reader\n    params: {paths: /nonexistent/x}\n");
  try {
    build_pipeline(load_pipeline_config(dir_ / "pipeline.yaml"), registry_);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), AllOf(HasSubstr("pipeline.yaml:3: stages[0] (jsonl_reader): "),
                                    HasSubstr("/nonexistent/x")));
  }
}

TEST_F(PipelineBuilderTest, AppliesOverridesToPlainStages) {
  const Pipeline pipeline = build_pipeline(load(yaml_of("", R"(  - stage: jsonl_writer
    name: write
    params: {output_dir: out}
    resources: {cpus: 0.5}
    batch_size: 2
    num_workers: 3
    stage_spec: {max_calls_per_worker: 7}
)")),
                                           registry_);
  const auto stages = pipeline.build();
  const auto& writer = *stages.back();
  EXPECT_EQ(writer.name(), "write");
  EXPECT_EQ(writer.resources().cpus, 0.5);
  EXPECT_EQ(writer.batch_size(), 2);
  EXPECT_EQ(writer.num_workers(), 3);
  EXPECT_EQ(writer.stage_spec().max_calls_per_worker(), 7);
}

TEST_F(PipelineBuilderTest, AppliesCompositeOverridesToTheLastSubStageAndSubStagesByName) {
  const Pipeline pipeline = build_pipeline(load(yaml_of(R"(    name: read
    num_workers: 2
    resources: {cpus: 2}
    sub_stages:
      file_partitioning: {resources: {cpus: 0.25}}
      jsonl_reader: {batch_size: 1, num_workers: 4}
)",
                                                        "")),
                                           registry_);
  const auto stages = pipeline.build();
  ASSERT_EQ(stages.size(), 2u);
  EXPECT_EQ(stages[0]->name(), "file_partitioning");
  EXPECT_EQ(stages[0]->resources().cpus, 0.25);
  EXPECT_EQ(stages[1]->name(), "read");
  EXPECT_EQ(stages[1]->resources().cpus, 2.0);
  EXPECT_EQ(stages[1]->num_workers(), 4);  // sub_stages wins over the entry's own
  EXPECT_TRUE(stages[1]->stage_spec().is_fanout_stage());
}

TEST_F(PipelineBuilderTest, ExactDuplicatesOverridesReachItsShuffleNotItsRemovalListWriter) {
  const std::string reader = "name: built\nstages:\n  - stage: jsonl_reader\n    params: {paths: " +
                             (dir_ / "in").string() + ", add_dedup_id: true}\n";
  const Pipeline pipeline = build_pipeline(load(reader + R"(  - stage: exact_duplicates
    name: dups
    params: {removal_list_dir: removed, num_partitions: 3}
    num_workers: 3
    stage_spec: {ray_remote_args: {max_restarts: 1}}
    sub_stages:
      removal_list_writer: {num_workers: 1}
)"),
                                           registry_);
  const auto stages = pipeline.build();
  ASSERT_EQ(stages.size(), 4u);
  EXPECT_EQ(stages[2]->name(), "dups");
  EXPECT_EQ(stages[2]->num_workers(), 3);
  EXPECT_TRUE(stages[2]->stage_spec().is_shuffle_stage());  // merged with the stage's own
  EXPECT_EQ(stages[2]->stage_spec().to_json()["ray_remote_args"], json({{"max_restarts", 1}}));
  EXPECT_EQ(stages[3]->name(), "removal_list_writer");
  EXPECT_EQ(stages[3]->num_workers(), 1);
  EXPECT_FALSE(stages[3]->stage_spec().to_json().contains("ray_remote_args"));
}

TEST_F(PipelineBuilderTest, RejectsUnknownSubStagesAndSubStagesOnPlainStages) {
  EXPECT_THAT(build_error(yaml_of("    sub_stages: {jsonl_raeder: {num_workers: 2}}\n", "")),
              AllOf(HasSubstr("pipeline.yaml:5"), HasSubstr("no sub-stage 'jsonl_raeder'"),
                    HasSubstr("did you mean 'jsonl_reader'"),
                    HasSubstr("file_partitioning, jsonl_reader")));
  EXPECT_THAT(build_error(yaml_of("",
                                  "  - stage: jsonl_writer\n    params: {output_dir: o}\n"
                                  "    sub_stages: {x: {num_workers: 1}}\n")),
              HasSubstr("'sub_stages' is only for composite stages"));
}

TEST_F(PipelineBuilderTest, RejectsImpossibleResources) {
  EXPECT_THAT(build_error(yaml_of("",
                                  "  - stage: jsonl_writer\n    params: {output_dir: o}\n"
                                  "    resources: {gpus: 1, gpu_memory_gb: 8}\n")),
              AllOf(HasSubstr("stages[1] (jsonl_writer)"), HasSubstr("gpu")));
}

TEST_F(PipelineBuilderTest, InjectsTheLogDirIntoStagesThatTakeIt) {
  const PipelineConfig config = load(yaml_of("", kFilterAndWriter));
  const Pipeline pipeline = build_pipeline(config, registry_, BuildOptions{dir_ / "logs"});
  EXPECT_EQ(pipeline.build().size(), 4u);
  EXPECT_EQ(output_folders(config, registry_), (std::vector<std::filesystem::path>{"out"}));
}

TEST_F(PipelineBuilderTest, ResolvesTheExecutorAndRejectsUnknownTypesAndKeys) {
  PipelineConfig config = load(yaml_of("", "") + "executor:\n  config: {queue_capacity: 3}\n");
  EXPECT_EQ(resolve_executor_config(config), json::parse(R"({"queue_capacity": 3})"));
  const ExecutorHandle handle = make_executor(config);
  EXPECT_EQ(handle.type, "local");
  EXPECT_TRUE(handle.progress().empty());

  auto error_of = [&](const std::string& executor) -> std::string {
    try {
      resolve_executor_config(load(yaml_of("", "") + executor));
    } catch (const ConfigError& error) {
      return error.what();
    }
    return "";
  };
  EXPECT_THAT(error_of("executor: {type: locl}\n"),
              AllOf(HasSubstr("pipeline.yaml:5"), HasSubstr("unknown type 'locl'"),
                    HasSubstr("did you mean 'local'"), HasSubstr("known types: local")));
  EXPECT_THAT(error_of("executor:\n  config: {queue_capacty: 3}\n"),
              AllOf(HasSubstr("pipeline.yaml:6"), HasSubstr("unknown config key 'queue_capacty'"),
                    HasSubstr("did you mean 'queue_capacity'")));
  EXPECT_THAT(error_of("executor:\n  config: {log_level: loud}\n"),
              AllOf(HasSubstr("pipeline.yaml:6"), HasSubstr("unknown log level 'loud'")));
}

TEST_F(PipelineBuilderTest, ChecksTypeRayKeysWithLinesAndRefusesToRunIt) {
  const PipelineConfig ray = load(yaml_of("", "") +
                                  "executor:\n  type: ray\n  config: {address: 'auto', "
                                  "ignore_head_node: true, ray_remote_args: {num_cpus: 1}}\n");
  EXPECT_EQ(resolve_executor_config(ray)["address"], "auto");
  try {
    make_executor(ray);
    FAIL() << "the binary runs types local and mpi only";
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), AllOf(HasSubstr("pipeline.yaml:6: executor: type 'ray'"),
                                    HasSubstr("pip install 'curate[ray]'"),
                                    HasSubstr("`curate run` from that package")));
  }
  try {
    resolve_executor_config(load(yaml_of("", "") +
                                 "executor:\n  type: ray\n  config:\n    adress: x\n"
                                 "    queue_capacity: 2\n    ignore_head_node: 3\n"
                                 "    fuse_task_stages: 'no'\n"));
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(),
                AllOf(HasSubstr("pipeline.yaml:8: executor: unknown config key 'adress' for "
                                "type 'ray' (did you mean 'address'?)"),
                      HasSubstr("pipeline.yaml:9: executor: unknown config key 'queue_capacity'"),
                      HasSubstr("pipeline.yaml:10: executor: config key 'ignore_head_node' of "
                                "type 'ray' must be boolean, not 3"),
                      HasSubstr("pipeline.yaml:11: executor: config key 'fuse_task_stages' of "
                                "type 'ray' must be boolean, not \"no\"")));
  }
}

TEST_F(PipelineBuilderTest, DescribesStagesAndExecutor) {
  const PipelineConfig config = load(yaml_of("    name: read\n", kFilterAndWriter) +
                                     "executor: {type: local, config: {queue_capacity: 2}}\n");
  const std::string text = describe_pipeline(config, build_pipeline(config, registry_));
  EXPECT_THAT(text, AllOf(HasSubstr("Pipeline 'built'"), HasSubstr("file_partitioning"),
                          HasSubstr("read [cpus=1"), HasSubstr("is_fanout_stage"),
                          HasSubstr("heuristic_filter"), HasSubstr("jsonl_writer"),
                          HasSubstr("Executor: local {\"queue_capacity\":2}")));
}

}  // namespace
}  // namespace curate::cli
