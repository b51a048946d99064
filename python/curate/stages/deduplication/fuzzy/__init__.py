"""Fuzzy deduplication (``nemo_curator.stages.deduplication.fuzzy``)."""

from curate.stages.deduplication.fuzzy.workflow import FuzzyDeduplicationWorkflow

__all__ = ["FuzzyDeduplicationWorkflow"]
