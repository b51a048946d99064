"""The Ray backend: ``RayExecutor`` runs each stage as a pool of Ray actors (``curate[ray]``)."""

from curate.backends.ray.executor import RayExecutor

__all__ = ["RayExecutor"]
