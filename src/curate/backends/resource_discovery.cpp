#include "curate/backends/resource_discovery.hpp"

#include <sched.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <memory>

#include "curate/core/resources.hpp"

namespace curate::backends {

namespace {

// sched_getaffinity fails with EINVAL while the mask is smaller than the kernel's; start at
// glibc's fixed cpu_set_t size and double up to a bound no machine approaches.
constexpr int kInitialAffinityCpus = 1024;
constexpr int kMaximumAffinityCpus = 1 << 22;

constexpr double kBytesPerGib = 1024.0 * 1024.0 * 1024.0;

std::atomic<bool> g_logged_missing_nvml{false};

std::string local_hostname() {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof(buffer) - 1) != 0 || buffer[0] == '\0') return "localhost";
  return std::string(buffer);
}

}  // namespace

int affinity_cpu_count() {
  for (int cpus = kInitialAffinityCpus; cpus <= kMaximumAffinityCpus; cpus *= 2) {
    const std::unique_ptr<cpu_set_t, void (*)(cpu_set_t*)> mask(
        CPU_ALLOC(cpus), [](cpu_set_t* set) { CPU_FREE(set); });
    if (!mask) break;
    const std::size_t size = CPU_ALLOC_SIZE(cpus);
    CPU_ZERO_S(size, mask.get());
    if (sched_getaffinity(0, size, mask.get()) == 0)
      return std::max(1, CPU_COUNT_S(size, mask.get()));
    if (errno != EINVAL) break;
  }
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? static_cast<int>(online) : 1;
}

double detect_cpu_count(const CgroupPaths& paths) {
  double cpus = static_cast<double>(affinity_cpu_count());
  if (const std::optional<double> limit = cgroup_cpu_limit(paths)) cpus = std::min(cpus, *limit);
  return std::max(cpus, kMinimumCpuCount);
}

std::vector<GpuDevice> detect_gpus() {
  NvmlQuery query = query_nvml_devices(nvml_library_path());
  if (!query.error.empty()) {
    // Most machines that run curate have no GPU; saying so once is enough.
    if (!g_logged_missing_nvml.exchange(true)) {
      spdlog::debug("No NVIDIA GPUs detected: {}", query.error);
    }
    return {};
  }
  const char* visible = std::getenv(kCudaVisibleDevicesEnvVar);
  return filter_visible_devices(
      query.devices, visible != nullptr ? std::optional<std::string_view>(visible) : std::nullopt);
}

double gpu0_memory_gb(const std::vector<GpuDevice>& visible_gpus) {
  if (visible_gpus.empty() || visible_gpus.front().memory_total_bytes == 0) {
    return kDefaultGpuMemoryGb;
  }
  return static_cast<double>(visible_gpus.front().memory_total_bytes) / kBytesPerGib;
}

double gpu0_memory_gb() { return gpu0_memory_gb(local_machine_resources().gpus); }

LocalMachineResources detect_local_machine_resources() {
  LocalMachineResources resources;
  resources.cpus = detect_cpu_count();
  resources.gpus = detect_gpus();
  resources.hostname = local_hostname();
  return resources;
}

const LocalMachineResources& local_machine_resources() {
  // A function-local static is initialised exactly once, even under concurrent first calls.
  static const LocalMachineResources resources = detect_local_machine_resources();
  return resources;
}

}  // namespace curate::backends
