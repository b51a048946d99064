"""ParquetWriter: each DocumentBatch as one Parquet file, written by pyarrow."""

from __future__ import annotations

import os

from curate._native import require_pyarrow
from curate.stages.base import ProcessingStage
from curate.stages.text.io.writer._mode import check_mode, prepare_folder
from curate.tasks import DocumentBatch, FileGroupTask

__all__ = ["ParquetWriter"]


class ParquetWriter(ProcessingStage[DocumentBatch, FileGroupTask]):
    """Write each batch to ``path/<task_id>.parquet`` (a temporary name, then renamed,
    so a file that exists is whole); returns a FileGroupTask naming the file."""

    name = "parquet_writer"

    def __init__(self, path: str, mode: str = "ignore", write_kwargs: dict | None = None) -> None:
        require_pyarrow("ParquetWriter")
        self.path = path
        self.mode = check_mode(mode)
        self.write_kwargs = dict(write_kwargs or {})

    def _prepare(self) -> None:
        prepare_folder(self.path, self.mode)

    def process(self, task: DocumentBatch) -> FileGroupTask:
        import pyarrow.parquet as pq

        target = os.path.join(self.path, f"{task.task_id}.parquet")
        partial = target + ".partial"
        pq.write_table(task.to_pyarrow(), partial, **self.write_kwargs)
        os.replace(partial, target)
        return FileGroupTask(dataset_name=task.dataset_name, data=[target],
                             _metadata=dict(task._metadata))
