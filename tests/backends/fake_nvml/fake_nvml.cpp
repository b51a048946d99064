// A stand-in for libnvidia-ml.so.1, built as a shared library for the resource discovery
// tests: it exports the NVML entry points curate's nvml_loader resolves with dlsym, and
// reports devices described by environment variables read at nvmlInit_v2:
//
//   FAKE_NVML_COUNT         number of GPUs (default 2, at most 16)
//   FAKE_NVML_NAME          product name (default "Fake H100")
//   FAKE_NVML_MEMORY_BYTES  total memory per GPU (default 80 GiB)
//   FAKE_NVML_MIG_PER_GPU   MIG instances on every GPU (default 0, at most 7), each with
//                           1/8 of its parent's memory
//   FAKE_NVML_INIT_ERROR    a nonzero NVML error code nvmlInit_v2 returns instead of success
//
// GPU i has UUID GPU-fake<iiii>-0000-4000-8000-000000000000 (iiii: 4 hex digits); MIG
// instance j of GPU i has UUID MIG-fake<iiii>-<jjjj>-4000-8000-000000000000.
// Not thread-safe beyond what the tests need: they query from one thread at a time.

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

constexpr int kSuccess = 0;
constexpr int kErrorUninitialized = 1;
constexpr int kErrorInvalidArgument = 2;
constexpr int kErrorInsufficientSize = 7;
constexpr int kErrorNotFound = 6;
constexpr int kMaxGpus = 16;
constexpr int kMaxMigPerGpu = 7;
constexpr unsigned long long kDefaultMemoryBytes = 80ULL << 30;

struct FakeDevice {
  char name[96];
  char uuid[96];
  unsigned long long memory_total;
  int mig_count;  // on a GPU: its MIG instances; on a MIG instance: unused
};

FakeDevice g_gpus[kMaxGpus];
FakeDevice g_migs[kMaxGpus][kMaxMigPerGpu];
int g_gpu_count = 0;
int g_init_count = 0;

long env_long(const char* name, long fallback, long low, long high) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  const long value = std::strtol(text, nullptr, 10);
  return value < low ? low : (value > high ? high : value);
}

void configure() {
  const char* name = std::getenv("FAKE_NVML_NAME");
  if (name == nullptr) name = "Fake H100";
  const char* memory_text = std::getenv("FAKE_NVML_MEMORY_BYTES");
  const unsigned long long memory = memory_text != nullptr && *memory_text != '\0'
                                        ? std::strtoull(memory_text, nullptr, 10)
                                        : kDefaultMemoryBytes;
  g_gpu_count = static_cast<int>(env_long("FAKE_NVML_COUNT", 2, 0, kMaxGpus));
  const int migs = static_cast<int>(env_long("FAKE_NVML_MIG_PER_GPU", 0, 0, kMaxMigPerGpu));
  for (int i = 0; i < g_gpu_count; ++i) {
    FakeDevice& gpu = g_gpus[i];
    std::snprintf(gpu.name, sizeof(gpu.name), "%s", name);
    std::snprintf(gpu.uuid, sizeof(gpu.uuid), "GPU-fake%04x-0000-4000-8000-000000000000", i);
    gpu.memory_total = memory;
    gpu.mig_count = migs;
    for (int j = 0; j < migs; ++j) {
      FakeDevice& mig = g_migs[i][j];
      std::snprintf(mig.name, sizeof(mig.name), "%s MIG 1g", name);
      std::snprintf(mig.uuid, sizeof(mig.uuid), "MIG-fake%04x-%04x-4000-8000-000000000000", i, j);
      mig.memory_total = memory / 8;
      mig.mig_count = 0;
    }
  }
}

bool is_gpu(const FakeDevice* device) { return device >= g_gpus && device < g_gpus + kMaxGpus; }

bool is_known(const FakeDevice* device) {
  if (is_gpu(device)) return device < g_gpus + g_gpu_count;
  const FakeDevice* first_mig = &g_migs[0][0];
  return device >= first_mig && device < first_mig + kMaxGpus * kMaxMigPerGpu;
}

int copy_string(const char* source, char* out, unsigned length) {
  if (out == nullptr) return kErrorInvalidArgument;
  if (std::strlen(source) + 1 > length) return kErrorInsufficientSize;
  std::memcpy(out, source, std::strlen(source) + 1);
  return kSuccess;
}

}  // namespace

extern "C" {

typedef struct nvmlDevice_st* nvmlDevice_t;

struct nvmlMemory_t {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};

__attribute__((visibility("default"))) int nvmlInit_v2() {
  const long error = env_long("FAKE_NVML_INIT_ERROR", 0, 0, 999);
  if (error != 0) return static_cast<int>(error);
  if (g_init_count++ == 0) configure();
  return kSuccess;
}

__attribute__((visibility("default"))) int nvmlShutdown() {
  if (g_init_count == 0) return kErrorUninitialized;
  --g_init_count;
  return kSuccess;
}

__attribute__((visibility("default"))) const char* nvmlErrorString(int result) {
  switch (result) {
    case kSuccess:
      return "Success";
    case kErrorUninitialized:
      return "Uninitialized";
    case kErrorInvalidArgument:
      return "Invalid Argument";
    case kErrorNotFound:
      return "Not Found";
    case 9:
      return "Driver Not Loaded";
    default:
      return "Unknown Error";
  }
}

__attribute__((visibility("default"))) int nvmlDeviceGetCount_v2(unsigned* count) {
  if (g_init_count == 0) return kErrorUninitialized;
  if (count == nullptr) return kErrorInvalidArgument;
  *count = static_cast<unsigned>(g_gpu_count);
  return kSuccess;
}

__attribute__((visibility("default"))) int nvmlDeviceGetHandleByIndex_v2(unsigned index,
                                                                         nvmlDevice_t* device) {
  if (g_init_count == 0) return kErrorUninitialized;
  if (device == nullptr || index >= static_cast<unsigned>(g_gpu_count)) {
    return kErrorInvalidArgument;
  }
  *device = reinterpret_cast<nvmlDevice_t>(&g_gpus[index]);
  return kSuccess;
}

__attribute__((visibility("default"))) int nvmlDeviceGetName(nvmlDevice_t device, char* name,
                                                             unsigned length) {
  const auto* fake = reinterpret_cast<const FakeDevice*>(device);
  if (g_init_count == 0) return kErrorUninitialized;
  if (!is_known(fake)) return kErrorInvalidArgument;
  return copy_string(fake->name, name, length);
}

__attribute__((visibility("default"))) int nvmlDeviceGetUUID(nvmlDevice_t device, char* uuid,
                                                             unsigned length) {
  const auto* fake = reinterpret_cast<const FakeDevice*>(device);
  if (g_init_count == 0) return kErrorUninitialized;
  if (!is_known(fake)) return kErrorInvalidArgument;
  return copy_string(fake->uuid, uuid, length);
}

__attribute__((visibility("default"))) int nvmlDeviceGetMemoryInfo(nvmlDevice_t device,
                                                                   nvmlMemory_t* memory) {
  const auto* fake = reinterpret_cast<const FakeDevice*>(device);
  if (g_init_count == 0) return kErrorUninitialized;
  if (!is_known(fake) || memory == nullptr) return kErrorInvalidArgument;
  memory->total = fake->memory_total;
  memory->used = 0;
  memory->free = fake->memory_total;
  return kSuccess;
}

__attribute__((visibility("default"))) int nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t device,
                                                                          unsigned* count) {
  const auto* fake = reinterpret_cast<const FakeDevice*>(device);
  if (g_init_count == 0) return kErrorUninitialized;
  if (!is_gpu(fake) || !is_known(fake) || count == nullptr) return kErrorInvalidArgument;
  // Real NVML reports the maximum slots, not the ones in use; leave one empty slot.
  *count = fake->mig_count > 0 ? static_cast<unsigned>(fake->mig_count) + 1 : 0;
  return kSuccess;
}

__attribute__((visibility("default"))) int nvmlDeviceGetMigDeviceHandleByIndex(
    nvmlDevice_t device, unsigned index, nvmlDevice_t* mig_device) {
  const auto* fake = reinterpret_cast<const FakeDevice*>(device);
  if (g_init_count == 0) return kErrorUninitialized;
  if (!is_gpu(fake) || !is_known(fake) || mig_device == nullptr) return kErrorInvalidArgument;
  if (index >= static_cast<unsigned>(fake->mig_count)) return kErrorNotFound;
  *mig_device = reinterpret_cast<nvmlDevice_t>(&g_migs[fake - g_gpus][index]);
  return kSuccess;
}

}  // extern "C"
