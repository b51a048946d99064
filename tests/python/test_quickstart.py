"""examples/python/quickstart.py, NeMo Curator's text quickstart, runs as a script."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO, read_jsonl_folder, word_documents, write_corpus


def test_quickstart_keeps_documents_of_50_words_or_more(tmp_path):
    corpus = write_corpus(tmp_path / "input", word_documents(200), files=2)
    output = tmp_path / "output"
    result = subprocess.run(
        [sys.executable, str(REPO / "examples" / "python" / "quickstart.py"),
         str(corpus / "*.jsonl"), str(output)],
        capture_output=True, text=True, env=os.environ.copy(), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "wrote 2 files" in result.stdout
    records = read_jsonl_folder(output)
    assert sorted(len(record["text"].split()) for record in records) == list(range(50, 200))
