"""JsonlReader: the engine's JSONL reader (file partitioning + parsing, simdjson)."""

from __future__ import annotations

from typing import Any

from curate.stages._engine import EngineStage

__all__ = ["JsonlReader"]


class JsonlReader(EngineStage):
    """Read JSONL files (plain, .gz or .zst) into DocumentBatches.

    ``file_paths``: files, folders (searched recursively) or glob patterns.
    ``files_per_partition`` / ``blocksize``: how files are grouped into reading tasks.
    ``fields``: record fields kept as columns beside the text (default: the text only,
    as the engine's reader keeps). Further engine parameters (``text_field``,
    ``batch_rows``, ``strict``, ...) pass through as keywords.
    """

    def __init__(self, file_paths: str | list[str], files_per_partition: int | None = None,
                 blocksize: int | str | None = None, fields: list[str] | None = None,
                 **engine_params: Any) -> None:
        params = {"paths": file_paths, "files_per_partition": files_per_partition,
                  "blocksize": blocksize, "fields": fields, **engine_params}
        super().__init__("jsonl_reader", params)
        self.name = "jsonl_reader"
