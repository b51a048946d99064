#include "curate/backends/mpi/mpi_executor.hpp"

#include "curate/backends/local/execution_plan.hpp"
#include "curate/backends/local/local_run.hpp"
#include "curate/backends/local/scoped_environment.hpp"
#include "curate/backends/logging.hpp"
#include "curate/backends/mpi/job_progress.hpp"
#include "curate/backends/mpi/mpi_bytes.hpp"
#include "curate/backends/mpi/mpi_gang.hpp"
#include "curate/backends/mpi/mpi_job_control.hpp"
#include "curate/backends/mpi/mpi_session.hpp"
#include "curate/backends/mpi/mpi_shuffle_exchange.hpp"
#include "curate/backends/mpi/mpi_wait.hpp"
#include "curate/backends/mpi/task_transport.hpp"
#include "curate/backends/utils.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <limits>
#include <map>
#include <stdexcept>
#include <thread>

namespace curate::backends {
namespace {

using mpi::dup_comm;
using mpi::JobControl;

// Every rank's outputs on every rank, in rank order (each rank's in its own order).
std::vector<TaskPtr> gather_outputs(const std::vector<TaskPtr>& mine, JobControl& control) {
  std::string packed;
  for (const TaskPtr& task : mine) {
    const std::string bytes = mpi::encode_task(*task);
    const std::uint64_t size = bytes.size();
    packed.append(reinterpret_cast<const char*>(&size), sizeof size);
    packed += bytes;
  }
  const auto all = mpi::all_gather_bytes(control.final_comm(), packed, control.abort().get());
  std::vector<TaskPtr> outputs;
  for (const std::string& message : all) {
    std::string_view in(message);
    while (in.size() >= sizeof(std::uint64_t)) {
      std::uint64_t size = 0;
      std::memcpy(&size, in.data(), sizeof size);
      in.remove_prefix(sizeof size);
      if (size > in.size()) throw std::runtime_error("gathered outputs: truncated message");
      outputs.push_back(mpi::decode_task(in.substr(0, size)));
      in.remove_prefix(size);
    }
  }
  return outputs;
}

nlohmann::json rank_config(const nlohmann::json& config, const mpi::MpiCluster& cluster) {
  nlohmann::json out = config;
  out.erase("all_gather_outputs");  // the MPI executor's own key
  const NodeResources node = cluster.nodes()[cluster.node_index()];
  const double share = static_cast<double>(std::max(cluster.local_size(), 1));
  if (!out.contains("num_cpus")) out["num_cpus"] = std::max(1.0, cluster.rank_cpus());
  if (!out.contains("num_gpus")) out["num_gpus"] = node.gpus / share;
  return out;
}

}  // namespace

MpiExecutor::MpiExecutor(nlohmann::json config, bool ignore_head_node,
                         std::shared_ptr<mpi::MpiCluster> cluster)
    : BaseExecutor(std::move(config), ignore_head_node), cluster_(std::move(cluster)) {
  if (!cluster_) cluster_ = mpi::MpiSession::cluster();
}

MpiExecutor::~MpiExecutor() = default;

std::vector<TaskPtr> MpiExecutor::execute(const std::vector<StagePtr>& stages,
                                          std::vector<TaskPtr> initial_tasks) {
  return execute(stages, std::move(initial_tasks), CancellationToken());
}

std::vector<TaskPtr> MpiExecutor::execute(const std::vector<StagePtr>& stages,
                                          std::vector<TaskPtr> initial_tasks,
                                          const CancellationToken& cancel) {
  if (!cluster_) {
    throw std::runtime_error(
        "MpiExecutor: MPI is not running; start the command with mpirun or srun --mpi=pmix");
  }
  if (stages.empty()) {
    throw std::invalid_argument(
        "MpiExecutor: no stages to run; build a pipeline with at least one stage");
  }
  if (initial_tasks.empty()) {
    throw std::invalid_argument(
        "no input tasks: MpiExecutor::execute needs at least one initial task; check the input "
        "path or file list");
  }
  if (cancel.cancelled()) throw RunCancelled(cancel.reason());
  const mpi::MpiCluster& cluster = *cluster_;
  const int rank = cluster.rank();
  const std::string node_id = cluster.current_node_id();

  configure_logging(config());
  register_logger_serializer();
  const nlohmann::json rank_cfg = rank_config(config(), cluster);

  // The ranks that take stage work: all, or those off the head node.
  std::vector<int> workers;
  for (int r = 0; r < cluster.size(); ++r) {
    if (!(ignore_head_node() && cluster.rank_nodes()[static_cast<std::size_t>(r)] == 0)) {
      workers.push_back(r);
    }
  }
  if (workers.empty()) {
    throw std::runtime_error(fmt::format(
        "ignore_head_node leaves no rank to work: all {} ranks run on the head node {}; start "
        "ranks on other nodes or drop ignore_head_node",
        cluster.size(), cluster.nodes().front().node_id));
  }

  // A fan-out source (file partitioning) runs on every rank alike; its outputs are the
  // source tasks rank 0 hands out.
  const bool split_source = stages.size() > 1 && stages.front()->stage_spec().is_fanout_stage();
  std::vector<StagePtr> rest(stages.begin() + (split_source ? 1 : 0), stages.end());
  local::ExecutionPlan plan = local::make_execution_plan(rest, rank_cfg, false);
  // Source tasks are taken on demand: a rank holds no more than its first pool can start
  // on, so the ranks that ask later still find work (skewed files balance).
  if (!config().contains("queue_capacity")) {
    plan.segments.front().queue_capacity =
        static_cast<std::size_t>(std::max(1, plan.segments.front().workers));
  }
  for (auto& segment : plan.segments) {
    if (segment.kind != local::SegmentKind::Gang) continue;
    segment.workers = 1;  // one gang member per rank
    for (auto stage : segment.stages) plan.stages[stage].workers = 1;
  }
  local::ScopedEnvironment environment(plan.env_vars);
  execute_setup_on_node(stages, ignore_head_node());

  RunStats source_stats;
  std::vector<TaskPtr> sources = std::move(initial_tasks);
  if (split_source) {
    local::LocalRun source_run(local::make_execution_plan({stages.front()}, rank_cfg, false),
                               std::move(sources), NodeInfo{node_id});
    std::string failure;
    try {
      sources = source_run.run();
    } catch (const std::exception& error) {
      failure = fmt::format("rank {} on node {}: {}", rank, node_id, error.what());
    }
    source_stats = source_run.stats();
    // Every rank ran the same source stage: agree that all succeeded and saw the same count.
    std::uint64_t counts[2] = {failure.empty() ? sources.size() : 0, failure.empty() ? 0u : 1u};
    std::uint64_t maxima[2] = {0, 0};
    MPI_Allreduce(counts, maxima, 2, MPI_UINT64_T, MPI_MAX, cluster.comm());
    if (!failure.empty()) throw std::runtime_error(failure);
    if (maxima[1] != 0) throw std::runtime_error("the source stage failed on another rank");
    if (maxima[0] != sources.size()) {
      throw std::runtime_error(fmt::format(
          "rank {} on node {}: source stage '{}' made {} tasks, another rank {}: every rank must "
          "see the same input files (a shared file system)",
          rank, node_id, stages.front()->name(), sources.size(), maxima[0]));
    }
  }
  if (sources.size() >= std::numeric_limits<std::uint32_t>::max()) {
    throw std::invalid_argument(
        fmt::format("MpiExecutor: {} source tasks is too many", sources.size()));
  }

  auto control_ptr = std::make_shared<JobControl>(cluster, workers, sources.size());
  JobControl& control = *control_ptr;
  // Per shuffle and gang stage, a communicator of its own (made in stage order on every
  // rank, so they match), for the collectives its worker thread runs. A gang spans the
  // working ranks only: with ignore_head_node the head node's ranks hold no member (they
  // get MPI_COMM_NULL, and their gang segment only checks that no input reaches it).
  const bool works = std::find(workers.begin(), workers.end(), rank) != workers.end();
  std::map<std::size_t, MPI_Comm> stage_comms;
  for (std::size_t i = 0; i < plan.stages.size(); ++i) {
    const auto spec = plan.stages[i].stage->stage_spec();
    if (spec.is_raft_actor()) {
      MPI_Comm gang = MPI_COMM_NULL;
      mpi::check_mpi(MPI_Comm_split(cluster.comm(), works ? 0 : MPI_UNDEFINED, rank, &gang),
                     "MPI_Comm_split (gang)");
      if (gang != MPI_COMM_NULL) MPI_Comm_set_errhandler(gang, MPI_ERRORS_RETURN);
      stage_comms[i] = gang;
    } else if (spec.is_shuffle_stage() || spec.is_lsh_stage()) {
      stage_comms[i] = dup_comm(cluster.comm());
    }
  }
  std::vector<std::shared_ptr<mpi::MpiShuffleExchange>> exchanges;
  local::RunHooks hooks;
  hooks.feed = [&control, &sources](TaskPtr& task, std::uint32_t& index) {
    return control.next(task, index, sources);
  };
  hooks.shuffle_exchange = [&](std::size_t stage) -> std::shared_ptr<local::ShuffleExchange> {
    auto exchange =
        std::make_shared<mpi::MpiShuffleExchange>(stage_comms.at(stage), workers, control.abort());
    exchanges.push_back(exchange);
    return exchange;
  };
  hooks.gang = [&](std::size_t stage) -> std::shared_ptr<curate::Gang> {
    if (stage_comms.at(stage) == MPI_COMM_NULL) return nullptr;
    return std::make_shared<mpi::MpiGang>(stage_comms.at(stage), control.abort());
  };
  hooks.holds_gang_member = [&](std::size_t stage) {
    return stage_comms.at(stage) != MPI_COMM_NULL;
  };
  hooks.on_failure = [&control, rank, node_id](const std::string& reason) {
    // A notice from elsewhere names its own rank; a local failure is named here.
    if (control.heard_remote()) return;
    control.notify_failure(fmt::format("rank {} on node {}: {}", rank, node_id, reason));
  };

  auto run = std::make_shared<local::LocalRun>(std::move(plan), std::vector<TaskPtr>{},
                                               NodeInfo{node_id}, hooks);
  {
    std::lock_guard lock(mutex_);
    live_run_ = run;
    live_control_ = control_ptr;
  }
  control.start([run](const std::string& reason) { run->cancel(reason); },
                [run] { return mpi::encode_progress(run->progress()); });
  const auto registration = cancel.on_cancel([run, cancel] { run->cancel(cancel.reason()); });

  std::vector<TaskPtr> outputs;
  std::exception_ptr local_error;
  try {
    outputs = run->run();
  } catch (...) {
    local_error = std::current_exception();
  }
  control.join_server();
  spdlog::debug("rank {} on node {}: {} source tasks of {}", rank, node_id,
                run->stats().input_tasks, sources.size());

  // Every rank comes here, failed or not: agree on the outcome, then gather the stats.
  RunStats stats = run->stats();
  stats.executor = "MpiExecutor";
  if (split_source) {
    StageStats first = source_stats.stages.front();
    if (rank != 0) {  // counted once, on rank 0
      StageStats empty;
      empty.name = first.name;
      first = std::move(empty);
    }
    stats.stages.insert(stats.stages.begin(), first);
    stats.wall_time_s += source_stats.wall_time_s;
    stats.input_tasks = rank == 0 ? source_stats.input_tasks : 0;
  }
  if (!stats.error.empty())
    stats.error = fmt::format("rank {} on node {}: {}", rank, node_id, stats.error);
  // Waits for every rank, however long their runs take, unless one is lost (silent).
  std::vector<std::string> all;
  try {
    all = mpi::all_gather_bytes(control.final_comm(), stats.to_json().dump(), control.lost().get());
  } catch (const std::exception& error) {
    {
      std::lock_guard lock(mutex_);
      final_progress_ = progress_locked();
      last_stats_ = stats;
      last_stats_.succeeded = false;
      last_stats_.error = control.lost()->raised() ? control.lost()->reason() : error.what();
      live_run_.reset();
      live_control_.reset();
    }
    throw std::runtime_error(
        fmt::format("rank {}: ranks did not meet after the run: {}", rank, error.what()));
  }
  control.stop_watching();
  RunStats job = stats;
  bool failed = false;
  bool cancelled = false;
  for (int r = 0; r < cluster.size(); ++r) {
    RunStats other = RunStats::from_json(nlohmann::json::parse(all[static_cast<std::size_t>(r)]));
    failed = failed || !other.succeeded;
    cancelled = cancelled || other.cancelled;
    if (r != rank) job.merge(other);
  }
  std::uint64_t moved = 0;
  double moving_s = 0.0;
  for (const auto& exchange : exchanges) {
    moved += exchange->bytes_moved();
    moving_s += exchange->seconds();
  }
  if (!exchanges.empty()) {
    spdlog::info("rank {} on node {}: shuffle exchanges moved {:.1f} MB in {:.3f} s ({:.0f} MB/s)",
                 rank, node_id, static_cast<double>(moved) / 1e6, moving_s,
                 moving_s > 0 ? static_cast<double>(moved) / 1e6 / moving_s : 0.0);
  }
  {
    std::lock_guard lock(mutex_);
    final_progress_ = progress_locked();
    last_stats_ = rank == 0 ? job : stats;
    if (rank == 0) {
      last_stats_.succeeded = !failed;
      // The first failure, as the failing rank named it, not rank 0's cancellation.
      if (failed && control.abort()->raised()) last_stats_.error = control.abort()->reason();
    }
    shuffle_bytes_ = moved;
    live_run_.reset();
    live_control_.reset();
  }
  for (auto& [stage, comm] : stage_comms) {
    if (!failed && comm != MPI_COMM_NULL) MPI_Comm_free(&comm);
  }
  if (local_error) {
    if (control.abort()->raised() && !cancel.cancelled()) {
      throw std::runtime_error(control.abort()->reason());
    }
    std::rethrow_exception(local_error);
  }
  if (failed)
    throw std::runtime_error(control.abort()->reason().empty() ? "the run failed on another rank"
                                                               : control.abort()->reason());
  if (config().value("all_gather_outputs", false)) outputs = gather_outputs(outputs, control);
  return outputs;
}

RunStats MpiExecutor::last_run_stats() const {
  std::lock_guard lock(mutex_);
  return last_stats_;
}

std::vector<StageProgress> MpiExecutor::progress() const {
  std::lock_guard lock(mutex_);
  if (!live_run_) return final_progress_;
  return progress_locked();
}

std::vector<StageProgress> MpiExecutor::progress_locked() const {
  std::vector<StageProgress> total = live_run_->progress();
  // Rank 0 adds what the other ranks' last heartbeats said (at most a beat old).
  if (live_control_) {
    for (const std::string& counters : live_control_->remote_progress()) {
      mpi::add_progress(total, counters);
    }
  }
  return total;
}

std::uint64_t MpiExecutor::last_shuffle_bytes() const {
  std::lock_guard lock(mutex_);
  return shuffle_bytes_;
}

}  // namespace curate::backends
