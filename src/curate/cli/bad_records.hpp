#pragma once

#include "curate/core/processing_stage.hpp"
#include "curate/io/bad_record_sink.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <vector>

namespace curate::cli {

/// Return the bad-record sinks of the JSONL readers among `stages` (built, composites
/// expanded), in stage order. A sink counts what its reader's instances in this process
/// reported plus what `merge_counters` added from other processes (Ray actors). Called by
/// the driver, before or after a run.
std::vector<std::shared_ptr<io::BadRecordSink>> bad_record_sinks(
    const std::vector<StagePtr>& stages);

/// Return stats.json's `bad_records` section: {"total": N, "by_reason": {reason: N},
/// "errors_file": `errors_path`} summed over `sinks`. Called by the driver once a run
/// ended (`curate run`, and the RayExecutor through the bindings), so both write the same.
nlohmann::json bad_records_json(const std::vector<std::shared_ptr<io::BadRecordSink>>& sinks,
                                const std::filesystem::path& errors_path);

}  // namespace curate::cli
