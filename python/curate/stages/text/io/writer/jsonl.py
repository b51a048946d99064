"""JsonlWriter: the engine's JSONL writer (one file per batch, written then renamed)."""

from __future__ import annotations

from typing import Any

from curate.stages._engine import EngineStage
from curate.stages.text.io.writer._mode import check_mode, prepare_folder

__all__ = ["JsonlWriter"]


class JsonlWriter(EngineStage):
    """Write each DocumentBatch as one JSONL file under ``path``.

    ``mode``: ``ignore`` (default) or ``append`` write beside what is there,
    ``overwrite`` clears the folder first, ``error`` refuses a folder that is not empty.
    ``compression`` (none, gzip, zstd) and ``drop_fields`` pass to the engine.
    """

    def __init__(self, path: str, file_extension: str | None = None,
                 write_kwargs: dict | None = None, mode: str = "ignore",
                 **engine_params: Any) -> None:
        if file_extension not in (None, "jsonl"):
            raise ValueError("JsonlWriter writes .jsonl files (compressed: .jsonl.gz, .jsonl.zst)")
        if write_kwargs:
            raise ValueError("write_kwargs are pandas' options; the engine's writer takes "
                             "compression, compression_level and drop_fields instead")
        super().__init__("jsonl_writer", {"output_dir": path, **engine_params})
        self.name = "jsonl_writer"
        self.path = path
        self.mode = check_mode(mode)

    def _prepare(self) -> None:
        prepare_folder(self.path, self.mode)
