"""The stage base classes (NeMo Curator's ``nemo_curator.stages.base``).

Subclass :class:`ProcessingStage` to write a stage in Python; it runs inside the C++
LocalExecutor, which takes the GIL only around the calls into it. Each worker gets its
own deep copy of the stage object, made before ``setup``.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from typing import Any, Generic, TypeVar

from curate.stages.resources import Resources
from curate.tasks import Task

__all__ = ["ProcessingStage", "CompositeStage"]

X = TypeVar("X", bound=Task)
Y = TypeVar("Y", bound=Task)


class ProcessingStage(ABC, Generic[X, Y]):
    """One step of a pipeline: ``process`` (or ``process_batch``) turns tasks into tasks.

    Class attributes ``name``, ``resources`` and ``batch_size`` configure it, as in NeMo
    Curator; ``inputs()``/``outputs()`` return ``(attributes, columns)`` tuples such as
    ``(["data"], ["text"])``, and the engine checks the columns before each call.
    """

    name: str = "ProcessingStage"
    resources: Resources = Resources(cpus=1.0)
    batch_size: int = 1

    def inputs(self) -> tuple[list[str], list[str]]:
        return [], []

    def outputs(self) -> tuple[list[str], list[str]]:
        return [], []

    @abstractmethod
    def process(self, task: X) -> Y | list[Y] | None:
        """Process one task; return a task, a list of tasks, or None to drop it."""

    def process_batch(self, tasks: list[X]) -> list[Y]:
        """Process up to ``batch_size`` tasks; the default calls ``process`` on each."""
        results: list[Y] = []
        for task in tasks:
            result = self.process(task)
            if result is None:
                continue
            if isinstance(result, list):
                results.extend(result)
            else:
                results.append(result)
        return results

    def setup_on_node(self, node_info: Any = None, worker_metadata: Any = None) -> None:
        """Prepare a node once per (stage, node), before any worker exists on it."""

    def setup(self, worker_metadata: Any = None) -> None:
        """Prepare one worker (load a model, open files); once per worker."""

    def teardown(self) -> None:
        """Release what ``setup`` took; called once per worker, also after a failure."""

    def num_workers(self) -> int | None:
        """Return a fixed worker count, or None to let the executor size the pool."""
        return getattr(self, "_num_workers", None)

    def ray_stage_spec(self) -> dict[str, Any]:
        """Return the execution spec (``RayStageSpecKeys`` values as keys)."""
        return {}

    def with_(self, name: str | None = None, resources: Resources | None = None,
              batch_size: int | None = None, num_workers: int | None = None,
              stage_spec: dict | None = None) -> "ProcessingStage":
        """Return a copy with the given fields overridden (the original is unchanged)."""
        clone = copy.copy(self)
        if name is not None:
            clone.name = name
        if resources is not None:
            clone.resources = resources
        if batch_size is not None:
            if batch_size < 1:
                raise ValueError(f"stage '{clone.name}': batch_size must be at least 1")
            clone.batch_size = batch_size
        if num_workers is not None:
            if num_workers < 1:
                raise ValueError(f"stage '{clone.name}': num_workers must be at least 1")
            clone._num_workers = num_workers
        if stage_spec is not None:
            clone._spec_overrides = {**getattr(self, "_spec_overrides", {}), **stage_spec}
        return clone

    def _stage_spec(self) -> dict[str, Any]:
        spec = {str(getattr(k, "value", k)): v for k, v in self.ray_stage_spec().items()}
        spec.update({str(getattr(k, "value", k)): v
                     for k, v in getattr(self, "_spec_overrides", {}).items()})
        return spec

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class CompositeStage(ProcessingStage[X, Y]):
    """A stage that stands for several: ``decompose()`` returns them, in order."""

    @abstractmethod
    def decompose(self) -> list[ProcessingStage]:
        """Return the stages this one expands into."""

    def process(self, task: X) -> Y:  # pragma: no cover - composites never run
        raise RuntimeError(f"composite stage '{self.name}' runs as its sub-stages")
