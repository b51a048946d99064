"""Readers (NeMo Curator's ``nemo_curator.stages.text.io.reader``)."""

from curate.stages.text.io.reader.jsonl import JsonlReader
from curate.stages.text.io.reader.parquet import ParquetReader

__all__ = ["JsonlReader", "ParquetReader"]
