#include "curate/backends/nvml_loader.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstdlib>
#include <cstring>

namespace curate::backends {

namespace {

// The slice of nvml.h we need, declared here so that the build needs no CUDA toolkit. These
// types and entry points are part of NVML's stable C ABI; the `_v2` names are the symbols
// nvml.h's macros map nvmlInit / nvmlDeviceGetCount / nvmlDeviceGetHandleByIndex to.
using NvmlReturn = int;  // nvmlReturn_t, an enum with NVML_SUCCESS == 0
using NvmlDevice = struct NvmlDeviceOpaque*;

struct NvmlMemory {  // nvmlMemory_t (version 1)
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};

constexpr NvmlReturn kNvmlSuccess = 0;
// NVML_DEVICE_NAME_V2_BUFFER_SIZE and NVML_DEVICE_UUID_V2_BUFFER_SIZE are both 96.
constexpr unsigned kNvmlStringBufferSize = 96;

using NvmlInitFn = NvmlReturn (*)();
using NvmlShutdownFn = NvmlReturn (*)();
using NvmlErrorStringFn = const char* (*)(NvmlReturn);
using NvmlDeviceGetCountFn = NvmlReturn (*)(unsigned*);
using NvmlDeviceGetHandleByIndexFn = NvmlReturn (*)(unsigned, NvmlDevice*);
using NvmlDeviceGetStringFn = NvmlReturn (*)(NvmlDevice, char*, unsigned);
using NvmlDeviceGetMemoryInfoFn = NvmlReturn (*)(NvmlDevice, NvmlMemory*);
using NvmlDeviceGetMaxMigDeviceCountFn = NvmlReturn (*)(NvmlDevice, unsigned*);
using NvmlDeviceGetMigDeviceHandleByIndexFn = NvmlReturn (*)(NvmlDevice, unsigned, NvmlDevice*);

struct NvmlApi {
  NvmlInitFn init = nullptr;
  NvmlShutdownFn shutdown = nullptr;
  NvmlErrorStringFn error_string = nullptr;
  NvmlDeviceGetCountFn get_count = nullptr;
  NvmlDeviceGetHandleByIndexFn get_handle_by_index = nullptr;
  NvmlDeviceGetStringFn get_name = nullptr;
  NvmlDeviceGetStringFn get_uuid = nullptr;
  NvmlDeviceGetMemoryInfoFn get_memory_info = nullptr;
  // MIG entry points exist since R450; older drivers lack them, which only means no MIG.
  NvmlDeviceGetMaxMigDeviceCountFn get_max_mig_device_count = nullptr;
  NvmlDeviceGetMigDeviceHandleByIndexFn get_mig_device_handle_by_index = nullptr;

  std::string describe(NvmlReturn code) const {
    const char* text = error_string != nullptr ? error_string(code) : nullptr;
    return fmt::format("{} (NVML error {})", text != nullptr ? text : "unknown error", code);
  }
};

template <typename Fn>
bool resolve(void* library, const char* symbol, Fn& out) {
  out = reinterpret_cast<Fn>(dlsym(library, symbol));
  return out != nullptr;
}

// Resolve every required symbol; return the name of the first one missing, or nullptr.
const char* resolve_api(void* library, NvmlApi& api) {
  if (!resolve(library, "nvmlInit_v2", api.init)) return "nvmlInit_v2";
  if (!resolve(library, "nvmlShutdown", api.shutdown)) return "nvmlShutdown";
  if (!resolve(library, "nvmlErrorString", api.error_string)) return "nvmlErrorString";
  if (!resolve(library, "nvmlDeviceGetCount_v2", api.get_count)) return "nvmlDeviceGetCount_v2";
  if (!resolve(library, "nvmlDeviceGetHandleByIndex_v2", api.get_handle_by_index)) {
    return "nvmlDeviceGetHandleByIndex_v2";
  }
  if (!resolve(library, "nvmlDeviceGetName", api.get_name)) return "nvmlDeviceGetName";
  if (!resolve(library, "nvmlDeviceGetUUID", api.get_uuid)) return "nvmlDeviceGetUUID";
  if (!resolve(library, "nvmlDeviceGetMemoryInfo", api.get_memory_info)) {
    return "nvmlDeviceGetMemoryInfo";
  }
  resolve(library, "nvmlDeviceGetMaxMigDeviceCount", api.get_max_mig_device_count);
  resolve(library, "nvmlDeviceGetMigDeviceHandleByIndex", api.get_mig_device_handle_by_index);
  return nullptr;
}

std::string read_string(NvmlDeviceGetStringFn fn, NvmlDevice device) {
  char buffer[kNvmlStringBufferSize] = {};
  if (fn(device, buffer, kNvmlStringBufferSize) != kNvmlSuccess) return {};
  buffer[kNvmlStringBufferSize - 1] = '\0';  // do not trust the library to terminate it
  return std::string(buffer);
}

// A device whose handle is known; a failed field stays empty rather than dropping the
// device, so that NVML indices (which CUDA_VISIBLE_DEVICES refers to) keep their meaning.
GpuDevice describe_device(const NvmlApi& api, NvmlDevice handle, int index) {
  GpuDevice device;
  device.index = index;
  device.name = read_string(api.get_name, handle);
  device.uuid = read_string(api.get_uuid, handle);
  NvmlMemory memory{};
  if (api.get_memory_info(handle, &memory) == kNvmlSuccess) {
    device.memory_total_bytes = memory.total;
  }
  return device;
}

void append_mig_devices(const NvmlApi& api, NvmlDevice parent, int parent_index,
                        std::vector<GpuDevice>& out) {
  if (api.get_max_mig_device_count == nullptr || api.get_mig_device_handle_by_index == nullptr) {
    return;
  }
  unsigned max_count = 0;  // 0 when MIG is unsupported or disabled on this GPU
  if (api.get_max_mig_device_count(parent, &max_count) != kNvmlSuccess) return;
  for (unsigned slot = 0; slot < max_count; ++slot) {
    NvmlDevice mig = nullptr;
    // Slots without a compute instance answer NVML_ERROR_NOT_FOUND; they are just empty.
    if (api.get_mig_device_handle_by_index(parent, slot, &mig) != kNvmlSuccess) continue;
    out.push_back(describe_device(api, mig, parent_index));
  }
}

}  // namespace

std::string nvml_library_path() {
  const char* value = std::getenv(kNvmlLibraryEnvVar);
  if (value != nullptr && *value != '\0') return value;
  return kDefaultNvmlLibrary;
}

NvmlQuery query_nvml_devices(const std::string& library_path) {
  NvmlQuery result;
  // The handle is never dlclose'd: unloading the real libnvidia-ml can run its destructors
  // while driver threads still reference it, and the handle costs one reference count.
  // dlopen of an already loaded library returns the same handle, so repeated queries
  // do not accumulate anything.
  void* library = dlopen(library_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* reason = dlerror();
    result.error = fmt::format("cannot load {}: {}", library_path,
                               reason != nullptr ? reason : "unknown dlopen error");
    return result;
  }

  NvmlApi api;
  if (const char* missing = resolve_api(library, api); missing != nullptr) {
    result.error = fmt::format("{} does not export {}", library_path, missing);
    return result;
  }

  if (NvmlReturn rc = api.init(); rc != kNvmlSuccess) {
    result.error = fmt::format("nvmlInit_v2 failed: {}", api.describe(rc));
    return result;
  }

  unsigned count = 0;
  if (NvmlReturn rc = api.get_count(&count); rc != kNvmlSuccess) {
    result.error = fmt::format("nvmlDeviceGetCount_v2 failed: {}", api.describe(rc));
    api.shutdown();
    return result;
  }

  std::vector<NvmlDevice> handles(count, nullptr);
  std::vector<GpuDevice> gpus;
  gpus.reserve(count);
  for (unsigned i = 0; i < count; ++i) {
    if (api.get_handle_by_index(i, &handles[i]) != kNvmlSuccess) {
      // No handle (e.g. no permission on its device node): keep the slot so indices hold.
      handles[i] = nullptr;
      gpus.push_back(GpuDevice{static_cast<int>(i), {}, {}, 0});
      continue;
    }
    gpus.push_back(describe_device(api, handles[i], static_cast<int>(i)));
  }
  std::vector<GpuDevice> migs;
  for (unsigned i = 0; i < count; ++i) {
    if (handles[i] != nullptr) append_mig_devices(api, handles[i], static_cast<int>(i), migs);
  }
  api.shutdown();

  result.devices = std::move(gpus);
  result.devices.insert(result.devices.end(), migs.begin(), migs.end());
  return result;
}

}  // namespace curate::backends
