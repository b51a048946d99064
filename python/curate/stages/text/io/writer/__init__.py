"""Writers (NeMo Curator's ``nemo_curator.stages.text.io.writer``)."""

from curate.stages.text.io.writer.jsonl import JsonlWriter
from curate.stages.text.io.writer.parquet import ParquetWriter

__all__ = ["JsonlWriter", "ParquetWriter"]
