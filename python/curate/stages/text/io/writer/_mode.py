"""NeMo Curator's writer ``mode``: what to do with an output folder that exists."""

from __future__ import annotations

import os
import shutil

_MODES = ("ignore", "overwrite", "append", "error")


def check_mode(mode: str) -> str:
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {', '.join(_MODES)}, not {mode!r}")
    return mode


def prepare_folder(path: str, mode: str) -> None:
    """Apply ``mode`` before a run: clear the folder (overwrite) or refuse it (error)."""
    exists = os.path.isdir(path) and any(os.scandir(path))
    if exists and mode == "error":
        raise ValueError(f"output folder {path} exists and is not empty (mode='error')")
    if exists and mode == "overwrite":
        shutil.rmtree(path)
    os.makedirs(path, exist_ok=True)
