"""The Python package's `curate` command (curate.cli) behaves as the C++ binary."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

from conftest import curate_binary, word_documents, write_corpus


def _python_curate(*args: str, cwd: pathlib.Path | None = None):
    return subprocess.run([sys.executable, "-m", "curate.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def _binary_curate(*args: str, cwd: pathlib.Path | None = None):
    return subprocess.run([str(curate_binary()), *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def _pipeline(folder: pathlib.Path, executor: str) -> pathlib.Path:
    corpus = write_corpus(folder / "corpus", word_documents(40), files=2)
    path = folder / "pipeline.yaml"
    path.write_text(f"""name: entry
executor: {executor}
stages:
  - stage: jsonl_reader
    params: {{paths: {corpus}}}
  - stage: word_count
    params: {{min_words: 10, max_words: 20}}
  - stage: jsonl_writer
    params: {{output_dir: {folder / 'out'}}}
""")
    return path


def test_stages_lists_what_the_binary_lists():
    mine, theirs = _python_curate("stages"), _binary_curate("stages")
    assert mine.returncode == theirs.returncode == 0
    assert mine.stdout == theirs.stdout


def test_run_of_a_local_file_runs_in_the_engine(tmp_path):
    path = _pipeline(tmp_path, "{type: local}")
    done = _python_curate("-C", str(tmp_path), "run", str(path), "--quiet")
    assert done.returncode == 0, done.stderr
    stats = json.loads((tmp_path / "logs" / "entry" / "stats.json").read_text())
    assert stats["executor_type"] == "local" and stats["exit_status"] == 0
    assert sum(1 for p in (tmp_path / "out").glob("*.jsonl") for _ in open(p)) == 11


def test_mistakes_are_reported_as_the_binary_reports_them(tmp_path):
    path = _pipeline(tmp_path, "{type: lokal}")
    mine, theirs = _python_curate("run", str(path)), _binary_curate("run", str(path))
    assert mine.returncode == theirs.returncode == 2
    assert mine.stderr == theirs.stderr
    assert "pipeline.yaml:2: executor: unknown type 'lokal'" in mine.stderr
    mine, theirs = _python_curate("run"), _binary_curate("run")
    assert mine.returncode == theirs.returncode == 2


def test_a_ray_workflow_file_is_checked_with_lines_before_ray_is_asked(tmp_path):
    path = tmp_path / "dedup.yaml"
    path.write_text(f"workflow: exact_deduplication\n"
                    f"params: {{input_path: {tmp_path}, output_path: {tmp_path / 'out'}}}\n"
                    "executor:\n  type: ray\n  config: {num_cpus: 2}\n")
    done = _python_curate("run", str(path))
    assert done.returncode == 2, done.stderr
    assert "dedup.yaml:5" in done.stderr
    assert "unknown config key 'num_cpus' for type 'ray'" in done.stderr


def test_curate_run_overwrite_with_type_ray_refuses_what_type_local_refuses(tmp_path):
    corpus = write_corpus(tmp_path / "data" / "corpus", word_documents(4))
    # The output folder holds the input: neither executor type may empty it (type ray is
    # refused before Ray is asked for anything).
    messages = {}
    for kind in ("local", "ray"):
        path = tmp_path / f"{kind}.yaml"
        out = tmp_path / "data"
        path.write_text(f"name: copy\nexecutor: {{type: {kind}}}\nstages:\n"
                        f"  - stage: jsonl_reader\n    params: {{paths: {corpus}}}\n"
                        f"  - stage: jsonl_writer\n    params: {{output_dir: {out}}}\n")
        done = _python_curate("run", str(path), "--overwrite", "--log-dir",
                              str(tmp_path / "logs"))
        assert done.returncode == 2, done.stdout + done.stderr
        messages[kind] = done.stderr
    assert "--overwrite would delete" in messages["ray"] and str(corpus) in messages["ray"]
    assert messages["ray"] == messages["local"]
    assert (corpus / "part-00.jsonl").exists()
