"""NodeInfo, WorkerMetadata and the executor base (NeMo Curator's ``backends.base``)."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

__all__ = ["NodeInfo", "WorkerMetadata", "BaseExecutor"]


@dataclass
class NodeInfo:
    """One node of the cluster."""

    node_id: str = ""


@dataclass
class WorkerMetadata:
    """The worker that runs a stage instance; ``worker_id`` is empty for node setup."""

    worker_id: str = ""
    allocation: Any = None


def _ignore_head_node_from_env() -> bool:
    return os.environ.get("CURATOR_IGNORE_RAY_HEAD_NODE", "").lower() in ("1", "true", "yes")


@dataclass
class BaseExecutor(ABC):
    """An executor: a configuration and ``execute(stages, initial_tasks)``."""

    config: dict = field(default_factory=dict)
    ignore_head_node: bool = False

    def __post_init__(self) -> None:
        self.config = dict(self.config or {})
        self.ignore_head_node = self.ignore_head_node or _ignore_head_node_from_env()

    @abstractmethod
    def execute(self, stages: list, initial_tasks: list | None = None) -> list:
        """Run built stages over initial tasks and return the last stage's outputs."""
