"""Executors and the backend seed API (NeMo Curator's ``nemo_curator.backends``)."""

from curate.backends.base import BaseExecutor, NodeInfo, WorkerMetadata
from curate.backends.local import LocalExecutor

__all__ = ["BaseExecutor", "LocalExecutor", "NodeInfo", "WorkerMetadata"]
