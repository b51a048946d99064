// The MPI executor end to end: `curate` runs under mpirun on 1 and 3 ranks, the 3 ranks
// on made-up hosts (a hostfile and tests/backends/mpi/fake_rsh.sh), against the
// LocalExecutor's results. Every mpirun costs about half a second, so each test
// launches as few as it can.

#include "mpi/mpi_test_util.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace curate::mpi_test;

class MpiRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    setenv("OMPI_MCA_btl", "tcp,self", 1);
    setenv("OMPI_MCA_btl_tcp_if_include", "lo", 1);
    setenv("OMPI_MCA_oob_tcp_if_include", "lo", 1);
    setenv("OMPI_MCA_rmaps_base_oversubscribe", "1", 1);
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    setenv("OMPI_MCA_plm_rsh_agent", CURATE_SOURCE_DIR "/tests/backends/mpi/fake_rsh.sh", 1);
    unsetenv("CURATOR_IGNORE_RAY_HEAD_NODE");
  }

  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           (std::string("curate_mpi_") + info->name() + "_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    write_corpus(dir_ / "input");
    std::ofstream(dir_ / "hosts") << "nodea slots=2\nnodeb slots=2\nnodec slots=2\n";
  }

  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  fs::path write_pipeline(const std::string& name, const std::string& stages_yaml) {
    const fs::path file = dir_ / (name + ".yaml");
    std::ofstream(file) << "name: " << name << "\nstages:\n" << stages_yaml;
    return file;
  }

  // `curate ARGS` on the LocalExecutor (no launcher), or under mpirun with `ranks` ranks
  // (3 ranks: one per fake host).
  Outcome curate(const std::string& args, int ranks = 0, const std::string& env = "") {
    std::string launcher;
    if (ranks == 1) launcher = std::string(CURATE_MPIRUN) + " -np 1 ";
    if (ranks > 1) {
      launcher = std::string(CURATE_MPIRUN) + " -np " + std::to_string(ranks) + " --hostfile " +
                 (dir_ / "hosts").string() + " --map-by node ";
    }
    return run_shell("cd " + dir_.string() + " && " + env + " timeout 60 " + launcher +
                     CURATE_MPI_TEST_BINARY + " " + args);
  }

  fs::path dir_;
};

TEST_F(MpiRun, ThreeFakeNodesSumResourcesAndSetUpOncePerStagePerNode) {
  const Outcome local = curate("resources --json");
  ASSERT_EQ(local.status, 0) << local.output;
  const double cpus_here = json::parse(local.output)["nodes"][0]["cpus"].get<double>();

  const Outcome cluster = curate("resources --json", 3);
  ASSERT_EQ(cluster.status, 0) << cluster.output;
  const json nodes = json::parse(cluster.output.substr(cluster.output.find('{')))["nodes"];
  ASSERT_EQ(nodes.size(), 3u) << cluster.output;
  double cpus = 0;
  std::set<std::string> names;
  for (const json& node : nodes) {
    cpus += node["cpus"].get<double>();
    names.insert(node["node_id"].get<std::string>());
  }
  EXPECT_EQ(names, (std::set<std::string>{"nodea", "nodeb", "nodec"}));
  EXPECT_TRUE(nodes[0]["is_head"].get<bool>());
  EXPECT_EQ(nodes[0]["node_id"], "nodea");  // rank 0's node
  EXPECT_DOUBLE_EQ(cpus, 3 * cpus_here);

  const std::string stages =
      "  - stage: jsonl_reader\n    params: {paths: input, batch_rows: 5}\n"
      "  - stage: record_setup\n    name: first\n    params: {dir: setup_all}\n"
      "  - stage: record_setup\n    name: second\n    params: {dir: setup_all}\n"
      "  - stage: jsonl_writer\n    params: {output_dir: out_all}\n";
  fs::create_directories(dir_ / "setup_all");
  fs::create_directories(dir_ / "setup_nohead");
  const fs::path all = write_pipeline("setup_all", stages);
  std::string nohead_stages = stages;
  for (const std::string from : {"setup_all", "out_all"}) {
    const std::string to = from == "setup_all" ? "setup_nohead" : "out_nohead";
    for (auto at = nohead_stages.find(from); at != std::string::npos; at = nohead_stages.find(from))
      nohead_stages.replace(at, from.size(), to);
  }
  const fs::path nohead = write_pipeline("setup_nohead", nohead_stages);

  const Outcome run_all = curate("run --quiet " + all.string(), 3);
  ASSERT_EQ(run_all.status, 0) << run_all.output;
  EXPECT_EQ(lines_of(dir_ / "setup_all" / "setup.log"),
            (std::vector<std::string>{"first nodea", "first nodeb", "first nodec", "second nodea",
                                      "second nodeb", "second nodec"}));

  const Outcome run_nohead =
      curate("run --quiet " + nohead.string(), 3, "CURATOR_IGNORE_RAY_HEAD_NODE=1");
  ASSERT_EQ(run_nohead.status, 0) << run_nohead.output;
  EXPECT_EQ(
      lines_of(dir_ / "setup_nohead" / "setup.log"),
      (std::vector<std::string>{"first nodeb", "first nodec", "second nodeb", "second nodec"}));
  // The head node's share is gone, and still every record was written (by the others).
  const json stats = json::parse(std::ifstream(dir_ / "logs" / "setup_nohead" / "stats.json"));
  EXPECT_EQ(records_under(dir_ / "out_nohead"), records_under(dir_ / "out_all"));
  EXPECT_EQ(records_under(dir_ / "out_all").size(), kRecords);
  EXPECT_EQ(stats["exit_status"], 0);
}

// The same pipelines give the same records on the LocalExecutor, 1 rank and 3 ranks.
TEST_F(MpiRun, SameOutputsOnLocalOneRankAndThreeRanks) {
  struct Case {
    std::string name;
    std::string stages;  // with OUT for the output folder
  };
  const std::vector<Case> cases = {
      {"passthrough",
       "  - stage: jsonl_reader\n    params: {paths: input, batch_rows: 5}\n"
       "  - stage: jsonl_writer\n    params: {output_dir: OUT}\n"},
      {"filter",
       "  - stage: jsonl_reader\n    params: {paths: input, batch_rows: 5}\n"
       "  - stage: word_count\n    params: {min_words: 4}\n"
       "  - stage: jsonl_writer\n    params: {output_dir: OUT}\n"},
      {"exact",
       "  - stage: jsonl_reader\n    params: {paths: input, batch_rows: 5, add_dedup_id: true}\n"
       "  - stage: exact_duplicates\n    params: {removal_list_dir: OUT, num_partitions: 4}\n"},
  };
  for (const Case& c : cases) {
    std::vector<std::vector<std::string>> results;
    for (int ranks : {0, 1, 3}) {
      const std::string name = c.name + "_np" + std::to_string(ranks);
      std::string stages = c.stages;
      stages.replace(stages.find("OUT"), 3, "out_" + name);
      const Outcome outcome = curate("run --quiet " + write_pipeline(name, stages).string(), ranks);
      ASSERT_EQ(outcome.status, 0) << name << ":\n" << outcome.output;
      results.push_back(records_under(dir_ / ("out_" + name)));
      if (ranks > 0) {
        const json stats = json::parse(std::ifstream(dir_ / "logs" / name / "stats.json"));
        EXPECT_EQ(stats["executor"], "MpiExecutor") << name;
        EXPECT_EQ(stats["executor_type"], "mpi") << name;
      }
    }
    EXPECT_FALSE(results[0].empty()) << c.name;
    EXPECT_EQ(results[1], results[0]) << c.name << ": 1 rank differs from local";
    EXPECT_EQ(results[2], results[0]) << c.name << ": 3 ranks differ from local";
  }
}

// `curate dedup exact|fuzzy` across ranks: the shuffle, the LSH buckets and the connected
// components gang span the ranks, and the removal lists, the deduplicated corpus and the
// counters equal the LocalExecutor's.
TEST_F(MpiRun, DedupWorkflowsGiveTheSameRemovalListsOnEveryRankCount) {
  for (const std::string workflow : {"exact", "fuzzy"}) {
    std::vector<json> counters;
    std::vector<std::vector<std::string>> removals;
    std::vector<std::vector<std::string>> kept;
    for (int ranks : {0, 1, 3}) {
      const std::string out = workflow + "_np" + std::to_string(ranks);
      // On 3 ranks, messages of at most 256 bytes: every exchange takes several rounds.
      const Outcome outcome =
          curate("dedup " + workflow + " --input input --output " + out + " --perform-removal -q",
                 ranks, ranks == 3 ? "CURATE_MPI_CHUNK_BYTES=256" : "");
      ASSERT_EQ(outcome.status, 0) << out << ":\n" << outcome.output;
      removals.push_back(records_under(dir_ / out / "removal_list"));
      kept.push_back(records_under(dir_ / out / "deduplicated"));
      json record = json::parse(std::ifstream(dir_ / out / "stats.json"))["counters"];
      record.erase("removal_list");
      record.erase("deduplicated");
      counters.push_back(record);
    }
    EXPECT_FALSE(removals[0].empty()) << workflow;
    EXPECT_EQ(removals[0].size() + kept[0].size(), kRecords) << workflow;
    for (std::size_t i = 1; i < removals.size(); ++i) {
      EXPECT_EQ(removals[i], removals[0]) << workflow << " run " << i;
      EXPECT_EQ(kept[i], kept[0]) << workflow << " run " << i;
      EXPECT_EQ(counters[i], counters[0]) << workflow << " run " << i;
    }
  }
}

TEST_F(MpiRun, AFailingOrKilledRankEndsTheJobAndARerunCompletes) {
  const auto pipeline = [&](const std::string& name, const std::string& mode, int rank) {
    return write_pipeline(
        name, fail_on_rank_stages(
                  dir_, "rank: " + std::to_string(rank) + ", mode: " + mode + ", sleep_ms: 30",
                  "out_" + name));
  };
  const Outcome thrown = curate("run --quiet " + pipeline("thrown", "throw", 1).string(), 3);
  EXPECT_NE(thrown.status, 0) << thrown.output;
  EXPECT_LT(thrown.seconds, 30.0);
  EXPECT_NE(thrown.output.find("rank 1 on node nodeb"), std::string::npos) << thrown.output;
  EXPECT_NE(thrown.output.find("fail_on_rank"), std::string::npos) << thrown.output;

  // Rank 2 stops (SIGSTOP) in teardown, right before the final agreement: mpirun sees
  // nothing wrong, so only the heartbeats find it.
  const Outcome stopped = curate("run --quiet " + pipeline("stopped", "stop", 2).string(), 3,
                                 "CURATE_MPI_SILENCE_TIMEOUT_S=3");
  EXPECT_NE(stopped.status, 0) << stopped.output;
  EXPECT_LT(stopped.seconds, 30.0);
  EXPECT_NE(stopped.output.find("rank 2 on node nodec sent no heartbeat"), std::string::npos)
      << stopped.output;

  const fs::path killed = pipeline("killed", "kill", 2);
  const Outcome died = curate("run --quiet " + killed.string(), 3);
  EXPECT_NE(died.status, 0) << died.output;
  EXPECT_LT(died.seconds, 30.0);
  EXPECT_NE(died.output.find("rank 2"), std::string::npos) << died.output;

  std::ofstream(dir_ / "disarmed") << "\n";
  const Outcome rerun = curate("run --quiet " + killed.string(), 3);
  ASSERT_EQ(rerun.status, 0) << rerun.output;
  EXPECT_EQ(records_under(dir_ / "out_killed").size(), kRecords);
}

// A rank that stops (SIGSTOP) in setup_on_node, while the other ranks wait for the nodes'
// setup outcome (a blocking collective of the job's start-up, before any run's heartbeat
// watch): mpirun sees nothing wrong, and before the session's watch the job waited
// forever. Now rank 0's session watch names the silent rank and ends the job within the
// silence timeout, and no process of the job is left (the stopped one included).
TEST_F(MpiRun, ARankLostInTheStartUpCollectivesEndsTheJobNamingIt) {
  const fs::path pipeline = write_pipeline(
      "stopped_in_setup", fail_on_rank_stages(dir_, "rank: 2, mode: stop_in_setup", "out_stopped"));
  const Outcome stopped =
      curate("run --quiet " + pipeline.string(), 3, "CURATE_MPI_SILENCE_TIMEOUT_S=5");
  EXPECT_NE(stopped.status, 0) << stopped.output;
  EXPECT_LT(stopped.seconds, 25.0) << stopped.output;
  EXPECT_NE(stopped.output.find("rank 2 on node nodec sent no heartbeat for 5 s outside a run"),
            std::string::npos)
      << stopped.output;
  EXPECT_EQ(processes_mentioning(pipeline.string()), std::vector<std::string>());
}

// ignore_head_node keeps the connected-components gang of fuzzy dedup off the head node
// (2 members, same removal list as local), and rank 0's progress lines count the tasks
// the other ranks process (rank 0 itself processes none here).
TEST_F(MpiRun, IgnoreHeadNodeKeepsGangsOffTheHeadAndProgressCoversEveryRank) {
  const std::string no_head = "CURATOR_IGNORE_RAY_HEAD_NODE=1";
  const Outcome local = curate("dedup fuzzy --input input --output fuzzy_local -q");
  ASSERT_EQ(local.status, 0) << local.output;
  const Outcome three = curate("dedup fuzzy --input input --output fuzzy_nohead -q", 3, no_head);
  ASSERT_EQ(three.status, 0) << three.output;
  EXPECT_EQ(records_under(dir_ / "fuzzy_nohead" / "removal_list"),
            records_under(dir_ / "fuzzy_local" / "removal_list"));
  EXPECT_FALSE(records_under(dir_ / "fuzzy_local" / "removal_list").empty());
  const json phases = json::parse(std::ifstream(dir_ / "fuzzy_nohead" / "stats.json"))["phases"];
  int gang_stages = 0;
  for (const auto& [phase, stats] : phases.items()) {
    for (const json& stage : stats["stages"]) {
      if (stage["name"] != "connected_components") continue;
      ++gang_stages;
      EXPECT_EQ(stage["instances"], 2) << phase << ": one member on each of nodeb and nodec";
    }
  }
  EXPECT_EQ(gang_stages, 1);

  const fs::path slow =
      write_pipeline("slow", fail_on_rank_stages(dir_, "rank: 99, sleep_ms: 150", "out_slow"));
  const Outcome run = curate("run --progress-interval 0.2 " + slow.string(), 3, no_head);
  ASSERT_EQ(run.status, 0) << run.output;
  // Every "fail_on_rank: N tasks" of the progress lines (no std::regex: GCC 12 warns
  // inside <regex> under AddressSanitizer, which -Werror turns into an error).
  const std::string label = "fail_on_rank: ";
  int most = 0;
  int lines = 0;
  for (auto at = run.output.find(label); at != std::string::npos;
       at = run.output.find(label, at + 1)) {
    const auto digits = at + label.size();
    const auto end = run.output.find_first_not_of("0123456789", digits);
    if (end == digits || end == std::string::npos || run.output.compare(end, 6, " tasks") != 0)
      continue;
    most = std::max(most, std::stoi(run.output.substr(digits, end - digits)));
    ++lines;
  }
  EXPECT_GT(lines, 0) << run.output;
  EXPECT_GT(most, 0) << "rank 0's progress shows none of the other ranks' work:\n" << run.output;
  EXPECT_LE(most, 36) << run.output;  // 12 files of 12 lines in batches of 5
  EXPECT_EQ(records_under(dir_ / "out_slow").size(), kRecords);
}

}  // namespace
