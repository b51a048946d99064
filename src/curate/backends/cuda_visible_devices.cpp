#include "curate/backends/cuda_visible_devices.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

namespace curate::backends {

namespace {

constexpr std::string_view kGpuUuidPrefix = "GPU-";
constexpr std::string_view kMigUuidPrefix = "MIG-";

// The MIG user guide ("CUDA Device Enumeration"): however many MIG devices are listed, a
// CUDA process enumerates only one. curate runs all its workers of a node in one process,
// so a second listed MIG device would be promised to stages and never usable.
constexpr std::size_t kMaxVisibleMigDevices = 1;

std::vector<std::string_view> split_commas(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
}

bool is_c_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Read an entry as the driver's strtoul-based parser does; nullopt for "not a device".
// strtoul itself would turn "-1" into ULONG_MAX, which the driver then rejects as out of
// range, so treating a negative as invalid gives the same visible set.
std::optional<uint64_t> parse_ordinal(std::string_view entry) {
  std::size_t pos = 0;
  while (pos < entry.size() && is_c_space(entry[pos])) ++pos;
  bool negative = false;
  if (pos < entry.size() && (entry[pos] == '+' || entry[pos] == '-')) {
    negative = entry[pos] == '-';
    ++pos;
  }
  const std::size_t digits_start = pos;
  uint64_t value = 0;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (; pos < entry.size() && entry[pos] >= '0' && entry[pos] <= '9'; ++pos) {
    const auto digit = static_cast<uint64_t>(entry[pos] - '0');
    value = value > (kMax - digit) / 10 ? kMax : value * 10 + digit;  // saturate, like strtoul
  }
  if (pos == digits_start) return std::nullopt;
  if (negative && value != 0) return std::nullopt;
  return value;
}

std::vector<GpuDevice> select_by_ordinal(const std::vector<const GpuDevice*>& gpus,
                                         const std::vector<std::string_view>& entries) {
  std::vector<uint64_t> ordinals;
  for (std::string_view entry : entries) {
    const std::optional<uint64_t> ordinal = parse_ordinal(entry);
    if (!ordinal) break;
    // Duplicates are checked over the whole syntactic list, before range: "0,7,0" on two
    // GPUs shows none, as the driver does, not just GPU 0.
    if (std::find(ordinals.begin(), ordinals.end(), *ordinal) != ordinals.end()) return {};
    ordinals.push_back(*ordinal);
  }
  std::vector<GpuDevice> visible;
  for (uint64_t ordinal : ordinals) {
    if (ordinal >= gpus.size()) break;
    visible.push_back(*gpus[ordinal]);
  }
  return visible;
}

// The device whose UUID starts with `prefix`, or nullptr when none or several do.
const GpuDevice* match_uuid_prefix(const std::vector<const GpuDevice*>& candidates,
                                   std::string_view prefix) {
  const GpuDevice* match = nullptr;
  for (const GpuDevice* device : candidates) {
    if (!std::string_view(device->uuid).starts_with(prefix)) continue;
    if (match != nullptr) return nullptr;
    match = device;
  }
  return match;
}

std::vector<GpuDevice> select_by_uuid(const std::vector<const GpuDevice*>& candidates,
                                      const std::vector<std::string_view>& entries,
                                      std::string_view kind_prefix) {
  std::vector<std::string_view> prefixes;
  for (std::string_view entry : entries) {
    if (std::find(prefixes.begin(), prefixes.end(), entry) != prefixes.end()) return {};
    if (!entry.starts_with(kind_prefix)) break;
    prefixes.push_back(entry);
  }
  std::vector<const GpuDevice*> chosen;
  for (std::string_view prefix : prefixes) {
    const GpuDevice* device = match_uuid_prefix(candidates, prefix);
    if (device == nullptr) break;
    if (std::find(chosen.begin(), chosen.end(), device) != chosen.end()) return {};
    chosen.push_back(device);
  }
  std::vector<GpuDevice> visible;
  for (const GpuDevice* device : chosen) visible.push_back(*device);
  return visible;
}

}  // namespace

std::vector<GpuDevice> filter_visible_devices(
    const std::vector<GpuDevice>& all, std::optional<std::string_view> cuda_visible_devices) {
  std::vector<const GpuDevice*> gpus;
  std::vector<const GpuDevice*> migs;
  for (const GpuDevice& device : all) {
    (std::string_view(device.uuid).starts_with(kMigUuidPrefix) ? migs : gpus).push_back(&device);
  }

  if (!cuda_visible_devices) {
    std::vector<GpuDevice> visible;
    for (const GpuDevice* device : gpus) visible.push_back(*device);
    return visible;
  }

  const std::string_view value = *cuda_visible_devices;
  const std::vector<std::string_view> entries = split_commas(value);
  if (value.starts_with(kGpuUuidPrefix)) return select_by_uuid(gpus, entries, kGpuUuidPrefix);
  if (value.starts_with(kMigUuidPrefix)) {
    std::vector<GpuDevice> visible = select_by_uuid(migs, entries, kMigUuidPrefix);
    if (visible.size() > kMaxVisibleMigDevices) visible.resize(kMaxVisibleMigDevices);
    return visible;
  }
  return select_by_ordinal(gpus, entries);
}

}  // namespace curate::backends
