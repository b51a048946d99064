#pragma once

#include "curate/backends/run_stats.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace curate::backends::mpi {

/// Return `stages` as the compact string a rank's heartbeat carries to rank 0 (JSON:
/// one array per stage). Pure; called about once a second per rank.
std::string encode_progress(const std::vector<StageProgress>& stages);

/// Add the counters of `encoded` (another rank's `encode_progress`, of the same
/// pipeline) stage by stage into `total`: tasks, items, workers and queue depths are
/// summed, units kept where `total` has none. Stages past `total`'s are ignored, and so
/// is a message that does not parse or has a bad row: then nothing is added (progress is
/// advisory). Pure.
void add_progress(std::vector<StageProgress>& total, std::string_view encoded);

}  // namespace curate::backends::mpi
