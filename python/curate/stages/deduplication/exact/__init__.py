"""Exact deduplication (``nemo_curator.stages.deduplication.exact``)."""

from curate.stages.deduplication.exact.workflow import ExactDeduplicationWorkflow

__all__ = ["ExactDeduplicationWorkflow"]
