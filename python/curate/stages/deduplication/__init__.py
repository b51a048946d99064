"""Exact and fuzzy deduplication, under NeMo Curator's names (``nemo_curator.stages.deduplication``)."""
