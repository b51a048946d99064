"""Stages that the C++ engine runs: a registry name plus parameters.

Each class here describes one entry of the engine's stage registry (what a pipeline
YAML file names); ``Pipeline.run`` hands the descriptions to the engine, which builds
and runs them. Nothing of these stages runs in Python.
"""

from __future__ import annotations

import copy
from typing import Any

from curate.stages.base import ProcessingStage
from curate.stages.resources import Resources

__all__ = ["EngineStage"]


class EngineStage(ProcessingStage):
    """A C++ stage of the registry: ``registry_name`` with ``params``."""

    def __init__(self, registry_name: str, params: dict[str, Any] | None = None,
                 name: str | None = None) -> None:
        self._registry_name = registry_name
        self._params = {k: v for k, v in (params or {}).items() if v is not None}
        self._overrides: dict[str, Any] = {}
        self.name = name or registry_name
        if name is not None:
            self._overrides["name"] = name

    def process(self, task):  # pragma: no cover - the engine runs it
        raise RuntimeError(f"stage '{self.name}' runs in the engine; run it with Pipeline.run")

    def with_(self, name: str | None = None, resources: Resources | None = None,
              batch_size: int | None = None, num_workers: int | None = None,
              stage_spec: dict | None = None) -> "EngineStage":
        clone = copy.copy(self)
        clone._overrides = dict(self._overrides)
        if name is not None:
            clone.name = name
            clone._overrides["name"] = name
        if resources is not None:
            clone._overrides["resources"] = resources._to_dict()
        if batch_size is not None:
            clone._overrides["batch_size"] = batch_size
        if num_workers is not None:
            clone._overrides["num_workers"] = num_workers
        if stage_spec is not None:
            spec = {str(getattr(k, "value", k)): v for k, v in stage_spec.items()}
            clone._overrides["stage_spec"] = {**self._overrides.get("stage_spec", {}), **spec}
        return clone

    def _entry(self) -> dict[str, Any]:
        """Return the pipeline-file entry the engine builds this stage from."""
        resources = self._overrides.get("resources")
        entry = {"stage": self._registry_name, "params": self._params}
        entry.update({k: v for k, v in self._overrides.items() if k != "resources"})
        if resources is not None:
            # The engine's gpus and gpu_memory_gb exclude each other: give only what is set.
            entry["resources"] = {k: v for k, v in resources.items() if k == "cpus" or v}
        return entry

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._registry_name!r}, {self._params!r})"
