#include "curate/core/resources.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace curate {

void Resources::validate() const {
  if (cpus < 0.0 || gpus < 0.0 || gpu_memory_gb < 0.0) {
    throw std::invalid_argument(
        fmt::format("Resources must not be negative (cpus={}, gpus={}, gpu_memory_gb={})", cpus,
                    gpus, gpu_memory_gb));
  }
  if (gpus > 0.0 && gpu_memory_gb > 0.0) {
    throw std::invalid_argument(fmt::format(
        "Resources: set either gpus ({}) or gpu_memory_gb ({}), not both", gpus, gpu_memory_gb));
  }
}

double Resources::gpu_fraction(double gpu0_memory_gb) const {
  if (gpus > 0.0) return gpus;
  if (gpu_memory_gb <= 0.0) return 0.0;
  const double total = gpu0_memory_gb > 0.0 ? gpu0_memory_gb : kDefaultGpuMemoryGb;
  const double fraction = gpu_memory_gb / total;
  if (fraction > 1.0) {
    throw std::invalid_argument(
        fmt::format("Resources: gpu_memory_gb={} exceeds the {} GB of GPU 0; request gpus instead",
                    gpu_memory_gb, total));
  }
  return fraction;
}

std::string Resources::to_string() const {
  if (gpu_memory_gb > 0.0) return fmt::format("cpus={} gpu_memory_gb={}", cpus, gpu_memory_gb);
  return fmt::format("cpus={} gpus={}", cpus, gpus);
}

}  // namespace curate
