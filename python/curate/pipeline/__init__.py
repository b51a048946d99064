"""Pipelines (NeMo Curator's ``nemo_curator.pipeline``)."""

from curate.pipeline.pipeline import Pipeline

__all__ = ["Pipeline"]
