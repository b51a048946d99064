"""ParquetReader: the engine's file partitioning, then pyarrow reads each group."""

from __future__ import annotations

from curate._native import require_pyarrow
from curate.stages._engine import EngineStage
from curate.stages.base import CompositeStage, ProcessingStage
from curate.tasks import DocumentBatch, FileGroupTask

__all__ = ["ParquetReader"]


class _ParquetReadStage(ProcessingStage[FileGroupTask, DocumentBatch]):
    name = "parquet_reader"

    def __init__(self, fields: list[str] | None, text_field: str) -> None:
        self.fields = fields
        self.text_field = text_field

    def outputs(self) -> tuple[list[str], list[str]]:
        return ["data"], [self.text_field, *(self.fields or [])]

    def process(self, task: FileGroupTask) -> DocumentBatch:
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns = None if self.fields is None else [self.text_field, *self.fields]
        tables = [pq.read_table(path, columns=columns) for path in task.data]
        table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
        return DocumentBatch(dataset_name=task.dataset_name, data=table,
                             _metadata={**task._metadata, "source_files": list(task.data)},
                             text_field=self.text_field)


class ParquetReader(CompositeStage[FileGroupTask, DocumentBatch]):
    """Read Parquet files into DocumentBatches with pyarrow (the ``parquet`` extra).

    ``fields``: columns to read besides ``text_field`` (default: every column).
    """

    name = "parquet_reader"

    def __init__(self, file_paths: str | list[str], files_per_partition: int | None = None,
                 blocksize: int | str | None = None, fields: list[str] | None = None,
                 text_field: str = "text") -> None:
        require_pyarrow("ParquetReader")
        self.file_paths = file_paths
        self.files_per_partition = files_per_partition
        self.blocksize = blocksize
        self.fields = fields
        self.text_field = text_field

    def decompose(self) -> list[ProcessingStage]:
        partitioning = EngineStage("file_partitioning", {
            "paths": self.file_paths, "files_per_partition": self.files_per_partition,
            "blocksize": self.blocksize, "file_extensions": [".parquet"]})
        return [partitioning, _ParquetReadStage(self.fields, self.text_field)]
