// `curate` with two stages for the MPI tests, for runs under mpirun:
// - record_setup: passes tasks through; its setup_on_node appends "<stage> <node>" to
//   <dir>/setup.log, so a test counts setups per stage and node;
// - fail_on_rank: sleeps `sleep_ms` per task and passes it through, except on rank
//   `rank` (OMPI_COMM_WORLD_RANK, or PMIX_RANK under srun), which throws (mode "throw")
//   or kills itself with SIGKILL (mode "kill") on its first task, or stops itself with
//   SIGSTOP in teardown (mode "stop": a rank that hangs right before the final
//   agreement), or kills (mode "kill_in_setup") or stops (mode "stop_in_setup") itself
//   in setup_on_node, while the other ranks wait for the nodes' setup outcome, a
//   collective of the job's start-up; unless <dir>/disarmed exists (so a rerun
//   completes).
// CURATE_TEST_KILL_RANK_BEFORE_INIT=R makes rank R kill itself before MPI_Init.

#include "curate/backends/mpi/mpi_session.hpp"
#include "curate/cli/app.hpp"
#include "curate/core/stage_registry.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

using namespace curate;

class RecordSetupStage final : public CloneableStage<RecordSetupStage> {
 public:
  RecordSetupStage(std::string name, std::string dir)
      : CloneableStage(std::move(name)), dir_(std::move(dir)) {}
  void setup_on_node(const NodeInfo& node, const WorkerMetadata&) override {
    std::ofstream(dir_ / "setup.log", std::ios::app) << name() << ' ' << node.node_id << '\n';
  }
  std::vector<TaskPtr> process(TaskPtr task) override { return {std::move(task)}; }

 private:
  std::filesystem::path dir_;
};

class FailOnRankStage final : public CloneableStage<FailOnRankStage> {
 public:
  FailOnRankStage(std::string dir, int rank, std::string mode, int sleep_ms)
      : CloneableStage("fail_on_rank"),
        dir_(std::move(dir)),
        rank_(rank),
        mode_(std::move(mode)),
        sleep_ms_(sleep_ms) {}
  void setup_on_node(const NodeInfo&, const WorkerMetadata&) override {
    if (mode_ == "kill_in_setup" && armed()) std::raise(SIGKILL);
    if (mode_ == "stop_in_setup" && armed()) std::raise(SIGSTOP);
  }
  std::vector<TaskPtr> process(TaskPtr task) override {
    // Slow tasks spread over every rank: no rank finishes the corpus before the others ask.
    std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms_));
    if ((mode_ == "throw" || mode_ == "kill") && armed()) {
      if (mode_ == "kill") std::raise(SIGKILL);
      throw std::runtime_error("failing on purpose on rank " + std::to_string(rank_));
    }
    return {std::move(task)};
  }
  void teardown() override {
    if (mode_ == "stop" && armed()) std::raise(SIGSTOP);
  }

 private:
  bool armed() const {
    const char* rank = std::getenv("OMPI_COMM_WORLD_RANK");
    if (rank == nullptr) rank = std::getenv("PMIX_RANK");
    return rank != nullptr && std::atoi(rank) == rank_ &&
           !std::filesystem::exists(dir_ / "disarmed");
  }

  std::filesystem::path dir_;
  int rank_;
  std::string mode_;
  int sleep_ms_;
};

void register_mpi_test_stages(StageRegistry& registry) {
  registry.add(StageRegistration{
      "record_setup",
      "Pass tasks through; setup_on_node appends '<stage> <node>' to <dir>/setup.log (tests)",
      {{"dir", nlohmann::json(), "folder for setup.log"}},
      [](StageParams& params) -> StagePtr {
        return std::make_shared<RecordSetupStage>("record_setup",
                                                  params.require<std::string>("dir"));
      }});
  registry.add(StageRegistration{
      "fail_on_rank",
      "Throw (mode throw), SIGKILL (kill), SIGSTOP in teardown (stop), SIGKILL or SIGSTOP in "
      "setup_on_node (kill_in_setup, stop_in_setup) on rank `rank` unless <dir>/disarmed (tests)",
      {{"dir", nlohmann::json(), "folder of the disarmed marker"},
       {"rank", 1, "the rank that fails"},
       {"mode", "throw", "throw, kill, stop, kill_in_setup or stop_in_setup"},
       {"sleep_ms", 0, "milliseconds to sleep per task first"}},
      [](StageParams& params) -> StagePtr {
        return std::make_shared<FailOnRankStage>(
            params.require<std::string>("dir"), params.get<int>("rank", 1),
            params.get<std::string>("mode", "throw"), params.get<int>("sleep_ms", 0));
      }});
}

}  // namespace

int main(int argc, char** argv) {
  // A rank that dies before MPI_Init (tests of the start-up watch): the others wait in
  // MPI_Init for it.
  if (const char* rank = std::getenv("CURATE_TEST_KILL_RANK_BEFORE_INIT")) {
    const char* mine = std::getenv("OMPI_COMM_WORLD_RANK");
    if (mine == nullptr) mine = std::getenv("PMIX_RANK");
    if (mine != nullptr && std::string(mine) == rank) std::raise(SIGKILL);
  }
  curate::backends::mpi::MpiSession mpi;
  curate::cli::log_to_stderr();
  curate::cli::CliContext context{std::cout, std::cerr};
  context.extra_stages = register_mpi_test_stages;
  return mpi.finish(curate::cli::run_cli(std::vector<std::string>(argv + 1, argv + argc), context));
}
