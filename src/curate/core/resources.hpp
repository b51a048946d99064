#pragma once

#include <string>

namespace curate {

/// Describe what one worker instance of a stage needs: CPUs, and either whole/fractional
/// GPUs or an amount of GPU memory. Plain value type; validated by `validate()`.
struct Resources {
  double cpus = 1.0;
  double gpu_memory_gb = 0.0;
  double gpus = 0.0;

  /// Throw std::invalid_argument when the request is impossible to interpret: negative
  /// values, or both `gpus` and `gpu_memory_gb` set. Called when a stage is built.
  void validate() const;

  /// Return true when the stage needs a GPU, through `gpus` or `gpu_memory_gb`.
  bool requires_gpu() const { return gpus > 0.0 || gpu_memory_gb > 0.0; }

  /// Return the GPUs one instance takes: `gpus`, or `gpu_memory_gb` as a fraction of
  /// the memory of GPU 0 (`gpu0_memory_gb`, 24 when unknown). Throw std::invalid_argument
  /// when that fraction exceeds 1, since one instance cannot span GPUs by memory.
  double gpu_fraction(double gpu0_memory_gb) const;

  /// Render as `cpus=1 gpus=0.5` for logs and `curate describe`.
  std::string to_string() const;

  bool operator==(const Resources&) const = default;
};

/// The GPU memory assumed when NVML cannot tell (matches NeMo Curator).
inline constexpr double kDefaultGpuMemoryGb = 24.0;

}  // namespace curate
