#pragma once

#include "curate/core/processing_stage.hpp"

#include <nanobind/nanobind.h>

namespace curate::python {

/// Bind Task, DocumentBatch (with the Arrow PyCapsule stream), FileGroupTask, EmptyTask.
void bind_tasks(nanobind::module_& m);
/// Bind pipeline building, describing and running, and the stage catalogues.
void bind_pipeline(nanobind::module_& m);
/// Bind the seed API of backends/utils and a cluster scope for tests and dry runs.
void bind_backends(nanobind::module_& m);
/// Bind the exact and fuzzy deduplication workflows (run from a workflow document).
void bind_dedup(nanobind::module_& m);
/// Bind the `curate` command line (run in-process) and the file checks curate.cli needs.
void bind_cli(nanobind::module_& m);
/// Bind what the Ray executor drives: built stages, their life cycle, tasks as bytes.
void bind_ray(nanobind::module_& m);
/// Bind what the Ray executor needs for shuffle, LSH and gang stages (called by bind_ray).
void bind_ray_stages(nanobind::module_& m);
/// Bind stage descriptions: rebuilding a NativeStage from bytes, running NativeStages on
/// the LocalExecutor.
void bind_describe(nanobind::module_& m);
/// Add pickling (as a StageDescription), `describe`, `counters` and `merge_counters` to
/// the NativeStage class; called by bind_ray, which defines it.
void add_stage_description_methods(nanobind::class_<ProcessingStage>& cls);
/// Bind the run's record for the Ray executor: resume ledger, stats.json, progress, logs.
void bind_ray_record(nanobind::module_& m);

}  // namespace curate::python
