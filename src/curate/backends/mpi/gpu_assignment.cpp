#include "curate/backends/mpi/gpu_assignment.hpp"

#include "curate/backends/cuda_visible_devices.hpp"
#include "curate/backends/resource_discovery.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>

namespace curate::backends::mpi {

std::vector<std::size_t> gpus_for_local_rank(std::size_t gpus, int local_rank, int local_size) {
  std::vector<std::size_t> mine;
  if (gpus == 0 || local_size < 1 || local_rank < 0 || local_rank >= local_size) return mine;
  const auto rank = static_cast<std::size_t>(local_rank);
  const auto ranks = static_cast<std::size_t>(local_size);
  if (gpus < ranks) {
    mine.push_back(rank * gpus / ranks);
    return mine;
  }
  for (std::size_t g = rank * gpus / ranks; g < (rank + 1) * gpus / ranks; ++g) mine.push_back(g);
  return mine;
}

std::string assign_gpus_to_local_rank(int local_rank, int local_size) {
  if (local_size <= 1) return "";
  const LocalMachineResources machine = detect_local_machine_resources();
  const auto mine = gpus_for_local_rank(machine.gpus.size(), local_rank, local_size);
  if (mine.empty()) return "";
  // One list holds UUIDs or ordinals, never both (CUDA reads the kind from the first).
  bool uuids = true;
  for (std::size_t position : mine) uuids = uuids && !machine.gpus[position].uuid.empty();
  std::string value;
  for (std::size_t position : mine) {
    const GpuDevice& gpu = machine.gpus[position];
    if (!value.empty()) value += ',';
    value += uuids ? gpu.uuid : std::to_string(gpu.index);
  }
  setenv(kCudaVisibleDevicesEnvVar, value.c_str(), 1);
  spdlog::debug("local rank {} of {}: {}={}", local_rank, local_size, kCudaVisibleDevicesEnvVar,
                value);
  return value;
}

}  // namespace curate::backends::mpi
