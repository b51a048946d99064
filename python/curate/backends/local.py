"""The embedded executor: the C++ LocalExecutor, threads in this process."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from curate._native import native
from curate.backends.base import BaseExecutor
from curate.stages._engine import EngineStage
from curate.tasks import _unwrap, _wrap

__all__ = ["LocalExecutor"]

_LOG_LEVELS = [(logging.DEBUG, "debug"), (logging.INFO, "info"), (logging.WARNING, "warn"),
               (logging.ERROR, "err"), (logging.CRITICAL, "critical")]


def _engine_log_level() -> str:
    """Return the engine level matching ``logging.getLogger("curate")``'s effective one."""
    level = logging.getLogger("curate").getEffectiveLevel()
    if level < logging.DEBUG:
        return "trace"
    name = "off"
    for threshold, engine_name in _LOG_LEVELS:
        if level <= threshold:
            return engine_name
    return name


def pipeline_document(name: str, description: str | None, stages: list,
                      executor: dict, seeded: bool = False) -> tuple[str, list]:
    """Return the pipeline-file JSON the engine builds from, and the Python stages it names.

    Engine stages become their registry entries; a Python stage becomes
    ``{stage: python_stage, params: {index: i}}``, the i-th object of the returned list.
    """
    entries, python_stages = [], []
    if seeded:
        # Initial tasks bring their own columns: this entry tells the engine's checks so.
        entries.append({"stage": "initial_tasks"})
    for stage in stages:
        if isinstance(stage, EngineStage):
            entries.append(stage._entry())
        else:
            entries.append({"stage": "python_stage", "params": {"index": len(python_stages)}})
            python_stages.append(stage)
    document = {"name": name, "description": description or "",
                "executor": executor, "stages": entries}
    return json.dumps(document), python_stages


@dataclass
class LocalExecutor(BaseExecutor):
    """Run every stage as a pool of worker threads connected by bounded queues.

    ``config`` takes the keys of a pipeline file's ``executor.config``: queue_capacity,
    num_cpus, num_gpus, log_level, fuse_task_stages, discard_outputs, runtime_env. Without
    ``log_level`` the engine logs at the level of ``logging.getLogger("curate")``.
    """

    def _executor_section(self) -> dict:
        config = dict(self.config)
        config.setdefault("log_level", _engine_log_level())
        return {"type": "local", "config": config}

    def execute(self, stages: list, initial_tasks: list | None = None, *,
                _pipeline_name: str = "pipeline", _description: str | None = None) -> list:
        """Run ``stages`` (built: Python composites expanded) and return the outputs.

        The GIL is released while the engine runs; Ctrl-C stops the run with every
        stage torn down and raises KeyboardInterrupt. Configuration mistakes raise
        ValueError and a failed run RuntimeError, with the engine's message.
        """
        for stage in stages:
            prepare = getattr(stage, "_prepare", None)
            if prepare is not None:
                prepare()
        document, python_stages = pipeline_document(
            _pipeline_name, _description, stages, self._executor_section(),
            seeded=initial_tasks is not None)
        seeds = None
        if initial_tasks is not None:
            seeds = []
            for task in initial_tasks or []:
                handle = _unwrap(task)
                if getattr(task, "task_id", ""):
                    handle.task_id = task.task_id
                seeds.append(handle)
        outputs = native().run_pipeline(document, python_stages, seeds)
        return [_wrap(handle) for handle in outputs]

    def describe(self, stages: list, *, _pipeline_name: str = "pipeline") -> str:
        document, python_stages = pipeline_document(
            _pipeline_name, None, stages, self._executor_section())
        return native().describe_pipeline(document, python_stages)
