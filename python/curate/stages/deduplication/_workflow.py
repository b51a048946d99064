"""What the exact and fuzzy workflows share: running the engine's workflow and its result."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from curate._native import native

__all__ = ["WorkflowRunResult", "input_paths", "run_workflow"]


@dataclass
class WorkflowRunResult:
    """The outcome of a workflow run, as NeMo Curator's ``WorkflowRunResult`` names it:
    ``metadata`` holds the engine's counters (documents, removed, and for fuzzy dedup
    shingles, candidate and verified pairs, components...) and the output folders."""

    workflow_name: str
    metadata: dict[str, Any] = field(default_factory=dict)

    def get_metadata(self, key: str) -> Any:
        """Return one counter or folder of the run (KeyError when absent)."""
        return self.metadata[key]


def _num_cpus(executor: Any) -> int | None:
    config = getattr(executor, "config", None) or {}
    unknown = sorted(set(config) - {"num_cpus", "log_level"})
    if unknown:
        raise ValueError(f"deduplication workflows take only num_cpus from the executor config, not {unknown}")
    return config.get("num_cpus")


def run_workflow(workflow: str, params: dict[str, Any], executor: Any = None) -> WorkflowRunResult:
    """Run the engine's ``workflow`` with ``params`` (its YAML parameter names) on the
    C++ LocalExecutor, without the GIL, and return its counters."""
    if executor is not None and type(executor).__name__ == "RayExecutor":
        # Chosen by `executor: {type: ray}` or given in code: say so rather than run locally.
        raise RuntimeError(
            f"{workflow}: the deduplication workflows cannot run on the RayExecutor yet (their "
            "shuffle, LSH and connected-components stages do not run on Ray); run them with "
            "executor type local, or curate dedup")
    document: dict[str, Any] = {"workflow": workflow,
                                "params": {k: v for k, v in params.items() if v is not None}}
    num_cpus = _num_cpus(executor) if executor is not None else None
    if num_cpus is not None:
        document["executor"] = {"config": {"num_cpus": num_cpus}}
    counters = json.loads(native().run_dedup_workflow(json.dumps(document)))
    return WorkflowRunResult(workflow_name=workflow, metadata=counters)


def check_unsupported(owner: str, **given: Any) -> None:
    """Raise ValueError naming the NeMo Curator arguments curate does not act on."""
    for name, value in given.items():
        if value is not None:
            raise ValueError(f"{owner}: {name} is not supported by curate (it reads local JSONL files)")


def check_filetype(owner: str, input_filetype: str) -> None:
    """Raise ValueError unless the input is JSONL."""
    if input_filetype != "jsonl":
        raise ValueError(
            f"{owner}: input_filetype={input_filetype!r}: curate deduplicates JSONL; convert Parquet "
            "first with ParquetReader and JsonlWriter"
        )


def input_paths(input_path: str | list[str] | None, initial_tasks: list | None) -> list[str]:
    """Return the files to read: those of ``initial_tasks`` (FileGroupTasks), else ``input_path``."""
    if initial_tasks:
        return [path for task in initial_tasks for path in task.data]
    if input_path is None:
        raise ValueError("input_path to the dataset must be provided if initial_tasks are not provided")
    return [input_path] if isinstance(input_path, str) else list(input_path)
