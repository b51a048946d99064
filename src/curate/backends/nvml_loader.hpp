#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace curate::backends {

/// Describe one NVIDIA GPU, or one MIG instance of a GPU, as NVML reports it. Plain value
/// type, produced by `query_nvml_devices` and filtered by `filter_visible_devices`.
struct GpuDevice {
  /// NVML index of the GPU; for a MIG instance, the index of its parent GPU.
  int index = 0;
  /// `GPU-<uuid>` for a GPU, `MIG-<uuid>` for a MIG instance; empty when NVML would not say.
  std::string uuid;
  /// Product name, e.g. "NVIDIA H100 80GB HBM3"; empty when NVML would not say.
  std::string name;
  /// Total device memory in bytes; 0 when NVML would not say.
  uint64_t memory_total_bytes = 0;

  bool operator==(const GpuDevice&) const = default;
};

/// Name the environment variable that overrides which NVML library is loaded: a file path
/// or a soname. Meant for tests (a fake NVML) and for drivers installed off the loader path.
inline constexpr const char* kNvmlLibraryEnvVar = "CURATE_NVML_LIBRARY";

/// Name the NVML library loaded when `CURATE_NVML_LIBRARY` is unset or empty; the dynamic
/// loader finds it the usual way (LD_LIBRARY_PATH, ld.so.cache).
inline constexpr const char* kDefaultNvmlLibrary = "libnvidia-ml.so.1";

/// Return the NVML library to load: `$CURATE_NVML_LIBRARY` when set and not empty, else
/// `kDefaultNvmlLibrary`. Reads the environment on every call; callable from any thread as
/// long as nobody modifies the environment at the same time.
std::string nvml_library_path();

/// Hold what one NVML query found: the devices, or the reason there are none.
struct NvmlQuery {
  /// Every GPU in NVML index order, followed by the MIG instances of every MIG-enabled GPU
  /// (in parent order, then MIG index order). Not filtered by CUDA_VISIBLE_DEVICES.
  std::vector<GpuDevice> devices;
  /// Why NVML gave no answer (library absent, symbol missing, init or count failed);
  /// empty when NVML answered, even with zero devices.
  std::string error;
};

/// Load NVML from `library_path` with dlopen, initialise it, list its GPUs and their MIG
/// instances (name, UUID, total memory), and shut it down again. Never throws for NVML
/// trouble: a missing library, a missing symbol or a failed init gives no devices and an
/// `error`; a failed per-device query leaves that field empty (or 0). The library stays
/// loaded afterwards (see the .cpp for why). Called rarely (process start, `curate
/// resources`); safe to call concurrently, since NVML counts its own init/shutdown pairs.
NvmlQuery query_nvml_devices(const std::string& library_path);

}  // namespace curate::backends
