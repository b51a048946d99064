"""Ctrl-C in the middle of a run, and the engine's log records in Python's logging."""

from __future__ import annotations

import _thread
import logging
import os
import threading
import time

import pytest

from conftest import word_documents, write_corpus
from curate.pipeline import Pipeline
from curate.stages.base import ProcessingStage
from curate.stages.text.filters import ScoreFilter
from curate.stages.text.filters.heuristic import WordCountFilter
from curate.stages.text.io.reader import JsonlReader


def os_threads() -> int:
    """Return the threads of this process (C++ ones too; Python keeps stale entries for
    foreign threads that once called into it, so threading.active_count() would not do)."""
    return len(os.listdir("/proc/self/task"))


class Slow(ProcessingStage):
    """Sleep per batch; count setups and teardowns across worker copies."""

    name = "slow"
    setups = 0
    teardowns = 0
    calls = 0
    lock = threading.Lock()

    def setup(self, worker_metadata=None):
        with Slow.lock:
            Slow.setups += 1

    def teardown(self):
        with Slow.lock:
            Slow.teardowns += 1

    def process(self, task):
        with Slow.lock:
            Slow.calls += 1
        time.sleep(0.02)
        return task


def test_ctrl_c_stops_the_run_tears_down_and_leaves_no_thread(tmp_path):
    corpus = write_corpus(tmp_path / "c", word_documents(400), files=4)
    Slow.setups = Slow.teardowns = Slow.calls = 0
    threads_before = os_threads()
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        Pipeline("interrupted", stages=[
            JsonlReader(str(corpus), batch_rows=1),
            Slow().with_(num_workers=2),
        ]).run()
    timer.join()
    assert time.monotonic() - started < 5
    assert 0 < Slow.calls < 400  # stopped in the middle
    assert Slow.setups == Slow.teardowns > 0
    assert os_threads() == threads_before


def test_ctrl_c_stops_a_run_of_engine_stages_only(tmp_path):
    corpus = write_corpus(tmp_path / "c", word_documents(200) * 40, files=8)
    threads_before = os_threads()
    timer = threading.Timer(0.05, _thread.interrupt_main)
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        Pipeline("interrupted", stages=[
            JsonlReader(str(corpus), batch_rows=1),
            ScoreFilter(WordCountFilter(min_words=1)),
        ]).run()
    timer.join()
    assert os_threads() == threads_before


def test_a_run_after_an_interrupted_one_runs(corpus):
    outputs = Pipeline("after", stages=[JsonlReader(str(corpus))]).run()
    assert sum(task.num_items for task in outputs) == 120


def test_engine_records_reach_the_curate_logger_tagged(tmp_path, caplog):
    corpus = tmp_path / "bad"
    corpus.mkdir()
    (corpus / "a.jsonl").write_text('{"text": "fine"}\n{not json\n{"text": "also fine"}\n')
    with caplog.at_level(logging.DEBUG, logger="curate"):
        outputs = Pipeline("logs", stages=[JsonlReader(str(corpus))]).run()
    assert sum(task.num_items for task in outputs) == 2
    records = [r for r in caplog.records if r.name == "curate"]
    assert any(r.levelno == logging.DEBUG for r in records)
    tagged = [r for r in records if getattr(r, "stage", None)]
    assert tagged, [r.getMessage() for r in records]
    assert all(r.worker and r.node for r in tagged)
    assert any("a.jsonl" in r.getMessage() for r in records)


def test_the_logger_level_applies_to_the_engine(corpus, caplog):
    with caplog.at_level(logging.ERROR, logger="curate"):
        Pipeline("quiet", stages=[JsonlReader(str(corpus))]).run()
    assert not [r for r in caplog.records if r.name == "curate" and r.levelno < logging.ERROR]
