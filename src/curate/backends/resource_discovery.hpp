#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "curate/backends/cuda_visible_devices.hpp"
#include "curate/backends/nvml_loader.hpp"

namespace curate::backends {

/// Say where the cgroup files live. The defaults are the real ones; tests point them at a
/// fake tree in a temporary directory.
struct CgroupPaths {
  /// The process's cgroup membership, one `id:controllers:path` line per hierarchy.
  std::filesystem::path proc_self_cgroup = "/proc/self/cgroup";
  /// The mount table, to find where each hierarchy is mounted and which subtree it shows.
  std::filesystem::path proc_self_mountinfo = "/proc/self/mountinfo";
  /// The cgroup mount used when the mount table names none: the unified hierarchy itself
  /// (cgroup v2), or the parent of the per-controller mounts `cpu`, `cpu,cpuacct` (v1).
  std::filesystem::path cgroup_root = "/sys/fs/cgroup";
};

/// Return how many CPUs the calling thread's affinity mask allows (sched_getaffinity, sized
/// with CPU_ALLOC so machines with more than 1024 CPUs count right); the online CPU count
/// when the mask cannot be read; at least 1. Callable from any thread.
int affinity_cpu_count();

/// Return the CPU bandwidth the process's cgroup allows, in CPUs (quota / period; 1.5 for
/// "150000 100000"), or std::nullopt when there is no limit or no cgroup file to read.
/// Reads cgroup v2 `cpu.max` and cgroup v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us` in the
/// process's cgroup and every ancestor up to the mount (a parent's limit binds its children)
/// and returns the smallest. Never throws; unreadable or malformed files count as no limit.
/// Callable from any thread.
std::optional<double> cgroup_cpu_limit(const CgroupPaths& paths = {});

/// Return the CPUs this process may use: min(affinity_cpu_count(), cgroup_cpu_limit()),
/// fractional when the quota is (a 50% quota gives 0.5), never below kMinimumCpuCount.
/// Called once per process by `detect_local_machine_resources`; tests pass fake `paths`.
double detect_cpu_count(const CgroupPaths& paths = {});

/// The smallest CPU count `detect_cpu_count` reports, so that callers may divide by it.
inline constexpr double kMinimumCpuCount = 0.01;

/// Return the NVIDIA GPUs this process can use: NVML's devices (library from
/// `nvml_library_path()`, i.e. `$CURATE_NVML_LIBRARY` or libnvidia-ml.so.1) filtered and
/// ordered by `$CUDA_VISIBLE_DEVICES` as `filter_visible_devices` describes. Without NVML
/// (no driver, no GPU, a failing init) returns an empty list and logs the reason at debug
/// level the first time; never throws. Reads the environment on each call; not meant for
/// hot paths (it loads and initialises NVML). Callable from any thread.
std::vector<GpuDevice> detect_gpus();

/// Return the memory of the first device in `visible_gpus` in GiB (2^30 bytes, as NeMo
/// Curator converts NVML's total), or curate::kDefaultGpuMemoryGb (24) when the list is
/// empty or its memory unknown. Pure function.
double gpu0_memory_gb(const std::vector<GpuDevice>& visible_gpus);

/// Return the memory of this machine's first visible GPU in GiB, from
/// `local_machine_resources()`; 24 when there is none. This is the denominator that turns a
/// stage's `gpu_memory_gb` into a GPU fraction. Callable from any thread.
double gpu0_memory_gb();

/// Describe what this machine offers the current process.
struct LocalMachineResources {
  /// CPUs usable by this process (affinity and cgroup quota), possibly fractional.
  double cpus = 0.0;
  /// Visible GPUs in CUDA order (see `detect_gpus`).
  std::vector<GpuDevice> gpus;
  /// gethostname(), or "localhost" when it fails.
  std::string hostname;
};

/// Detect CPUs, GPUs and hostname now, without caching. Tests and `curate resources` call
/// it; everything else uses `local_machine_resources()`. Callable from any thread.
LocalMachineResources detect_local_machine_resources();

/// Return this machine's resources, detected on the first call and cached for the life of
/// the process (later changes to affinity, cgroups or CUDA_VISIBLE_DEVICES are not seen).
/// Thread-safe: concurrent first calls detect once and all get the same object.
const LocalMachineResources& local_machine_resources();

}  // namespace curate::backends
