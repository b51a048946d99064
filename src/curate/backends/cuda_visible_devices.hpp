#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "curate/backends/nvml_loader.hpp"

namespace curate::backends {

/// Name the environment variable CUDA reads to decide which GPUs a process sees.
inline constexpr const char* kCudaVisibleDevicesEnvVar = "CUDA_VISIBLE_DEVICES";

/// Return the devices a CUDA process would see, in CUDA's order, given every device NVML
/// reports (`all`: GPUs in NVML index order, then MIG instances, as `query_nvml_devices`
/// returns them) and the value of CUDA_VISIBLE_DEVICES (`std::nullopt` when unset).
///
/// Parses the value the way the CUDA driver does (as torch.cuda's NVML-based device count
/// reproduces it):
/// - unset: every GPU (not its MIG instances); set but empty or blank: none.
/// - The first entry picks the kind of list. A list of ordinals: each comma-separated entry
///   is read like strtoul (surrounding whitespace and a leading `+` allowed, `-0` is 0,
///   anything after the digits ignored: `1gpu2` is 1). The list ends at the first entry
///   that is not a number or is negative, then at the first ordinal beyond the GPU count.
/// - A `GPU-` list: each entry is a UUID prefix that must match exactly one GPU; the list
///   ends at the first entry without the prefix, unknown or ambiguous.
/// - A `MIG-` list: the same against MIG instances; only the first MIG instance is kept,
///   since a CUDA process enumerates a single MIG device.
/// - A device named twice (the same ordinal, or two UUID prefixes of one device) makes the
///   whole list empty: CUDA then sees no device at all.
/// Ordinals count GPUs in NVML (PCI bus) order, i.e. CUDA_DEVICE_ORDER=PCI_BUS_ID.
/// Pure function; callable from any thread.
std::vector<GpuDevice> filter_visible_devices(const std::vector<GpuDevice>& all,
                                              std::optional<std::string_view> cuda_visible_devices);

}  // namespace curate::backends
