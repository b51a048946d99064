"""Tasks: the units of data that move between stages (NeMo Curator's ``nemo_curator.tasks``).

A task that came from the engine wraps the engine's own object, so handing it back to a
C++ stage copies nothing; one built from a pyarrow Table or a pandas DataFrame is copied
into the engine once, when a C++ stage first needs it.
"""

from __future__ import annotations

import json
from typing import Any

from curate._native import native, require_pyarrow

__all__ = ["Task", "DocumentBatch", "FileGroupTask", "EmptyTask", "_EmptyTask"]


class Task:
    """Base of every task: ``task_id``, ``dataset_name``, ``data``, metadata, history.

    Ids are assigned by the framework as NeMo Curator's are (derived from the parent's);
    a ``task_id`` given to the constructor is accepted but replaced when the task leaves
    a stage.
    """

    def __init__(
        self,
        task_id: str | None = None,
        dataset_name: str = "",
        data: Any = None,
        _metadata: dict | None = None,
        _stage_perf: list | None = None,
    ) -> None:
        self.task_id = task_id or ""
        self.dataset_name = dataset_name
        self.data = data
        self._metadata = dict(_metadata or {})
        self._stage_perf = list(_stage_perf or [])

    @property
    def num_items(self) -> int:
        return 0

    def validate(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"{type(self).__name__}(task_id={self.task_id!r}, num_items={self.num_items})"

    # ---- the engine's side ----

    def _copy_common_from(self, handle) -> None:
        self.task_id = handle.task_id
        self.dataset_name = handle.dataset_name
        self._metadata = json.loads(handle.metadata_json())
        self._stage_perf = json.loads(handle.stage_perf_json())

    def _copy_common_to(self, handle) -> None:
        handle.dataset_name = self.dataset_name
        handle.set_metadata_json(json.dumps(self._metadata, default=str))


def _is_pandas(data: Any) -> bool:
    return type(data).__module__.startswith("pandas") and hasattr(data, "columns")


class DocumentBatch(Task):
    """A batch of documents stored by column, as NeMo Curator's DocumentBatch.

    ``data`` is a pyarrow Table or a pandas DataFrame (or any object with
    ``__arrow_c_stream__``). Batches made by the engine convert to pyarrow on first use
    of ``data``/``to_pyarrow()``, sharing the engine's text buffer (no copy).
    """

    def __init__(
        self,
        task_id: str | None = None,
        dataset_name: str = "",
        data: Any = None,
        _metadata: dict | None = None,
        _stage_perf: list | None = None,
        *,
        text_field: str = "text",
    ) -> None:
        super().__init__(task_id, dataset_name, None, _metadata, _stage_perf)
        self._native = None
        self._data = None
        self.text_field = text_field
        if data is not None:
            if type(data).__name__ == "NativeBatch":
                self._native = data
            else:
                self._data = data

    # ---- NeMo Curator's API ----

    @property
    def data(self) -> Any:
        if self._data is None and self._native is not None:
            self._data = self.to_pyarrow()
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        if value is None:
            return
        self._data = value
        self._native = None

    @property
    def num_items(self) -> int:
        if self._native is not None and self._data is None:
            return self._native.num_rows
        if self._data is None:
            return 0
        return len(self._data)

    def __len__(self) -> int:
        return self.num_items

    def get_columns(self) -> list[str]:
        """Return the column names."""
        if self._native is not None and self._data is None:
            return list(self._native.column_names())
        if self._data is None:
            return []
        if _is_pandas(self._data):
            return [str(c) for c in self._data.columns]
        return list(self._data.column_names)

    def to_pyarrow(self):
        """Return the batch as a pyarrow Table (text shared with the engine, not copied)."""
        pa = require_pyarrow("DocumentBatch.to_pyarrow")
        if self._native is not None and self._data is None:
            return pa.RecordBatchReader.from_stream(self._native).read_all()
        if self._data is None:
            return pa.table({})
        if isinstance(self._data, pa.Table):
            return self._data
        if _is_pandas(self._data):
            return pa.Table.from_pandas(self._data, preserve_index=False)
        return pa.RecordBatchReader.from_stream(self._data).read_all()

    def to_pandas(self):
        """Return the batch as a pandas DataFrame."""
        if _is_pandas(self._data):
            return self._data
        return self.to_pyarrow().to_pandas()

    @classmethod
    def from_pyarrow(cls, table, task_id: str | None = None, dataset_name: str = "", **kwargs):
        """Make a batch from a pyarrow Table."""
        return cls(task_id=task_id, dataset_name=dataset_name, data=table, **kwargs)

    @classmethod
    def from_pandas(cls, frame, task_id: str | None = None, dataset_name: str = "", **kwargs):
        """Make a batch from a pandas DataFrame."""
        return cls(task_id=task_id, dataset_name=dataset_name, data=frame, **kwargs)

    @classmethod
    def from_arrow(cls, source, task_id: str | None = None, dataset_name: str = "", *,
                   text_field: str = "text"):
        """Copy any ``__arrow_c_stream__`` object into an engine batch (no pyarrow needed)."""
        handle = native().NativeBatch.from_arrow(source, "", dataset_name, text_field)
        batch = cls(task_id=task_id, dataset_name=dataset_name, data=handle, text_field=text_field)
        return batch

    def __arrow_c_stream__(self, requested_schema=None):
        """Export the Arrow PyCapsule stream (the engine's buffers when it holds them)."""
        return self._to_native().__arrow_c_stream__(requested_schema)

    def validate(self) -> bool:
        return self.num_items >= 0

    # ---- the engine's side ----

    @classmethod
    def _wrap(cls, handle) -> "DocumentBatch":
        batch = cls(data=handle, text_field=handle.text_field)
        batch._copy_common_from(handle)
        return batch

    def _to_native(self):
        """Return the engine's batch, importing ``data`` through Arrow when it changed."""
        if self._native is None:
            if self._data is None:
                self._native = native().NativeBatch("", self.dataset_name, self.text_field)
            else:
                self._native = native().NativeBatch.from_arrow(
                    self._data, "", self.dataset_name, self.text_field)
                self._data = None
        self._copy_common_to(self._native)
        return self._native


class FileGroupTask(Task):
    """A group of input files (``data`` is the list of paths) that one reader call reads."""

    def __init__(self, task_id: str | None = None, dataset_name: str = "",
                 data: list[str] | None = None, _metadata: dict | None = None,
                 _stage_perf: list | None = None) -> None:
        super().__init__(task_id, dataset_name, list(data or []), _metadata, _stage_perf)

    @property
    def num_items(self) -> int:
        return len(self.data)

    def validate(self) -> bool:
        return len(self.data) > 0

    @classmethod
    def _wrap(cls, handle) -> "FileGroupTask":
        task = cls(data=list(handle.files))
        task._copy_common_from(handle)
        return task

    def _to_native(self):
        handle = native().NativeFileGroupTask(self.task_id, self.dataset_name, list(self.data))
        self._copy_common_to(handle)
        return handle


class _EmptyTask(Task):
    """The seed of a source stage: holds nothing."""

    @classmethod
    def _wrap(cls, handle) -> "_EmptyTask":
        task = cls()
        task._copy_common_from(handle)
        return task

    def _to_native(self):
        handle = native().NativeEmptyTask(self.task_id or "empty", self.dataset_name)
        self._copy_common_to(handle)
        return handle


#: The task a pipeline starts from, as in NeMo Curator (an instance, not a class).
EmptyTask = _EmptyTask(task_id="empty", dataset_name="empty", data=None)


def _wrap(handle) -> Task:
    """Return the Python task for an engine task."""
    kind = type(handle).__name__
    if kind == "NativeBatch":
        return DocumentBatch._wrap(handle)
    if kind == "NativeFileGroupTask":
        return FileGroupTask._wrap(handle)
    if kind == "NativeEmptyTask":
        return _EmptyTask._wrap(handle)
    raise TypeError(f"unknown engine task type {kind}")


def _unwrap(task: Any):
    """Return the engine task for a Python task (DocumentBatch, FileGroupTask, EmptyTask)."""
    if isinstance(task, Task):
        return task._to_native()
    if type(task).__name__ in ("NativeBatch", "NativeFileGroupTask", "NativeEmptyTask"):
        return task
    raise TypeError(
        f"a stage returned {type(task).__name__}; stages return tasks "
        "(DocumentBatch, FileGroupTask) or lists of them")
