// `srun -N3 --mpi=pmix curate ...` on a throwaway Slurm cluster of this machine, as root:
// one slurmctld and three slurmd (nodes cn1..cn3 on loopback, auth/none, every file in a
// temporary folder; tests/backends/mpi/slurm_cluster.sh), stopped at the end with every
// process they started. Skipped, saying why, where Slurm is missing or cannot start.

#include "mpi/mpi_test_util.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace curate::mpi_test;

const std::string kScript = CURATE_SOURCE_DIR "/tests/backends/mpi/slurm_cluster.sh";

class SlurmNodes : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "the test's slurmd must run as root";
    if (run_shell("command -v slurmctld slurmd srun sinfo scontrol").status != 0) {
      GTEST_SKIP() << "Slurm is not installed (scripts/install-deps.sh installs slurmctld, "
                      "slurmd and slurm-client)";
    }
    dir_ = fs::temp_directory_path() / ("curate_slurm_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    write_corpus(dir_ / "input");
    started_ = true;
    const int port = 21000 + (getpid() % 1000) * 5;
    const Outcome up =
        run_shell(kScript + " up " + dir_.string() + " " + std::to_string(port) + " 3");
    if (up.status != 0) GTEST_SKIP() << "Slurm did not start: " << up.output;
  }

  void TearDown() override {
    if (started_) {
      const Outcome down = run_shell(kScript + " down " + dir_.string());
      EXPECT_EQ(down.status, 0) << down.output;
    }
    if (!HasFailure()) fs::remove_all(dir_);
  }

  // `curate ARGS`: locally (nodes 0) or under `srun -N nodes --mpi=pmix`.
  Outcome curate(const std::string& args, int nodes, const std::string& env = "") {
    std::string launcher;
    if (nodes > 0) {
      launcher = env + " SLURM_CONF=" + (dir_ / "slurm.conf").string() +
                 " OMPI_MCA_btl=tcp,self OMPI_MCA_btl_tcp_if_include=lo timeout 60 srun -N" +
                 std::to_string(nodes) + " --mpi=pmix ";
    }
    return run_shell("cd " + dir_.string() + " && unset CURATE_NODE_NAME; " + launcher +
                     CURATE_MPI_TEST_BINARY " " + args);
  }

  fs::path dir_;
  bool started_ = false;
};

TEST_F(SlurmNodes, SrunOverThreeNodesNamesThemAndMatchesLocal) {
  const std::set<std::string> names_wanted = {"cn1", "cn2", "cn3"};
  const Outcome resources = curate("resources --json", 3);
  ASSERT_EQ(resources.status, 0) << resources.output;
  const json nodes = json::parse(resources.output.substr(resources.output.find('{')))["nodes"];
  std::set<std::string> names;
  for (const json& node : nodes) names.insert(node["node_id"].get<std::string>());
  EXPECT_EQ(names, names_wanted) << "node names come from SLURMD_NODENAME";
  EXPECT_EQ(nodes[0]["node_id"], "cn1");

  for (const std::string name : {"job", "local"}) {
    fs::create_directories(dir_ / ("setup_" + name));
    std::ofstream(dir_ / (name + ".yaml"))
        << setup_pipeline(name, (dir_ / ("setup_" + name)).string(), "out_" + name);
  }
  const Outcome job = curate("run --quiet job.yaml", 3);
  ASSERT_EQ(job.status, 0) << job.output;
  EXPECT_EQ(lines_of(dir_ / "setup_job" / "setup.log"),
            (std::vector<std::string>{"first cn1", "first cn2", "first cn3", "second cn1",
                                      "second cn2", "second cn3"}));
  const json stats = json::parse(std::ifstream(dir_ / "logs" / "job" / "stats.json"));
  EXPECT_EQ(stats["executor"], "MpiExecutor");
  const Outcome local = curate("run --quiet local.yaml", 0);
  ASSERT_EQ(local.status, 0) << local.output;
  EXPECT_EQ(records_under(dir_ / "out_job"), records_under(dir_ / "out_local"));
  EXPECT_EQ(records_under(dir_ / "out_job").size(), kRecords);

  // Fuzzy dedup: shuffles and the connected-components gang across the Slurm nodes.
  const Outcome fuzzy = curate("dedup fuzzy --input input --output fuzzy_job -q", 3);
  ASSERT_EQ(fuzzy.status, 0) << fuzzy.output;
  const Outcome fuzzy_local = curate("dedup fuzzy --input input --output fuzzy_local -q", 0);
  ASSERT_EQ(fuzzy_local.status, 0) << fuzzy_local.output;
  EXPECT_EQ(records_under(dir_ / "fuzzy_job" / "removal_list"),
            records_under(dir_ / "fuzzy_local" / "removal_list"));
  EXPECT_FALSE(records_under(dir_ / "fuzzy_local" / "removal_list").empty());

  // srun does not end a step whose task was killed (KillOnBadExit=0): the heartbeats do.
  // The task sleeps 500 ms first, so the others are past the job's start: this is the
  // run's own watch (JobControl), the start-up's is the next case.
  std::ofstream(dir_ / "killed.yaml")
      << "name: killed\nstages:\n"
      << fail_on_rank_stages(dir_, "rank: 2, mode: kill, sleep_ms: 500", "out_killed");
  const Outcome killed = curate("run --quiet killed.yaml", 3, "CURATE_MPI_SILENCE_TIMEOUT_S=3");
  EXPECT_NE(killed.status, 0) << killed.output;
  EXPECT_LT(killed.seconds, 30.0);
  // The job must name the killed rank: curate's heartbeat watch does ("rank 2 on node cn3
  // sent no heartbeat"), unless a peer that was sending to rank 2 at that moment is ended
  // first by Open MPI's TCP transport (it cannot reach the dead rank); srun then names the
  // killed task itself ("cn3: task 2: Killed"). Which one comes first is a race.
  const bool named_by_curate =
      killed.output.find("rank 2 on node cn3 sent no heartbeat") != std::string::npos;
  const bool named_by_srun = killed.output.find("cn3: task 2: Killed") != std::string::npos;
  EXPECT_TRUE(named_by_curate || named_by_srun) << killed.output;

  // A task killed in setup_on_node, while the others wait for the nodes' setup outcome (a
  // blocking collective of the job's start-up, before any run's watch): srun does not end
  // the step and Open MPI's TCP transport only warns that the peer disconnected; without
  // the session's watch this job waits until `timeout` ends it. The watch on rank 0 must
  // name the rank and end the job (MPI_Abort, which srun turns into cancelling the step),
  // leaving no task behind.
  const fs::path in_setup = dir_ / "killed_in_setup.yaml";
  std::ofstream(in_setup) << "name: killed_in_setup\nstages:\n"
                          << fail_on_rank_stages(dir_, "rank: 2, mode: kill_in_setup", "out_in_setup");
  const Outcome setup_killed =
      curate("run --quiet " + in_setup.string(), 3, "CURATE_MPI_SILENCE_TIMEOUT_S=5");
  EXPECT_NE(setup_killed.status, 0) << setup_killed.output;
  EXPECT_LT(setup_killed.seconds, 25.0) << setup_killed.output;
  EXPECT_NE(setup_killed.output.find("rank 2 on node cn3 sent no heartbeat for 5 s outside a run"),
            std::string::npos)
      << setup_killed.output;
  EXPECT_EQ(processes_mentioning(in_setup.string()), std::vector<std::string>());

  // A task killed before MPI_Init: the others wait in MPI_Init's exchange, where no rank
  // can beat yet (this waited until `timeout` too). MPI_Init's deadline (the silence
  // timeout, at least 10 s) ends each waiting rank, and with them the step.
  const Outcome before_init = curate("run --quiet " + in_setup.string(), 3,
                                     "CURATE_MPI_SILENCE_TIMEOUT_S=5 "
                                     "CURATE_TEST_KILL_RANK_BEFORE_INIT=2");
  EXPECT_NE(before_init.status, 0) << before_init.output;
  EXPECT_LT(before_init.seconds, 30.0) << before_init.output;
  EXPECT_NE(before_init.output.find("MPI_Init did not complete within 10 s"), std::string::npos)
      << before_init.output;
  EXPECT_EQ(processes_mentioning(in_setup.string()), std::vector<std::string>());
}

}  // namespace
