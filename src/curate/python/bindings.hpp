#pragma once

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
/// Bind what the Ray executor drives: built stages, their life cycle, tasks as bytes.
void bind_ray(nanobind::module_& m);
/// Bind the run's record for the Ray executor: resume ledger, stats.json, progress, logs.
void bind_ray_record(nanobind::module_& m);

}  // namespace curate::python
