"""Shared fixtures: small corpora written per test, the build's `curate` command."""

from __future__ import annotations

import json
import os
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def write_corpus(folder: pathlib.Path, documents: list[dict], files: int = 1) -> pathlib.Path:
    """Write `documents` round-robin into `files` JSONL files under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    handles = [open(folder / f"part-{i:02d}.jsonl", "w", encoding="utf-8") for i in range(files)]
    try:
        for index, document in enumerate(documents):
            handles[index % files].write(json.dumps(document) + "\n")
    finally:
        for handle in handles:
            handle.close()
    return folder


def word_documents(count: int) -> list[dict]:
    """Return documents whose text has i words (i = 0 .. count-1), with their number."""
    return [{"text": " ".join(f"w{j}" for j in range(i)), "n": i} for i in range(count)]


def read_jsonl_folder(folder: pathlib.Path) -> list[dict]:
    """Return every record of the JSONL files under `folder`, file by file (sorted)."""
    records = []
    for path in sorted(folder.glob("*.jsonl")):
        with open(path, encoding="utf-8") as handle:
            records.extend(json.loads(line) for line in handle if line.strip())
    return records


@pytest.fixture
def corpus(tmp_path: pathlib.Path) -> pathlib.Path:
    """A corpus of 120 documents of 0..119 words in 3 files."""
    return write_corpus(tmp_path / "corpus", word_documents(120), files=3)


def curate_binary() -> pathlib.Path:
    """Return the C++ `curate` binary of the build under test; skip the test without it."""
    build = pathlib.Path(os.environ.get("CURATE_BUILD_DIR", REPO / "build"))
    binary = build / "bin" / "curate"
    if not binary.exists():
        pytest.skip(f"no C++ binary at {binary} (build the `curate` target)")
    return binary


@pytest.fixture
def curate_command() -> pathlib.Path:
    """The `curate` CLI of the build under test."""
    return curate_binary()
