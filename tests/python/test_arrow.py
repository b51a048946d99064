"""DocumentBatch through pyarrow, pandas, the Arrow PyCapsule stream, and Parquet."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curate._native import native
from curate.pipeline import Pipeline
from curate.stages.text.filters import ScoreFilter
from curate.stages.text.filters.heuristic import WordCountFilter
from curate.stages.text.io.reader import JsonlReader, ParquetReader
from curate.stages.text.io.writer import ParquetWriter
from curate.tasks import DocumentBatch

TABLE = pa.table({
    "text": ["héllo wörld", "", "three words here"],
    "n": pa.array([1, 2, 3], pa.int64()),
    "score": [0.5, 1.5, -2.0],
    "flag": [True, False, True],
})


def test_pyarrow_round_trip_through_the_engine():
    handle = DocumentBatch.from_pyarrow(TABLE, dataset_name="d")._to_native()
    assert handle.num_rows == 3
    assert handle.column_names() == ["text", "n", "score", "flag"]
    back = DocumentBatch._wrap(handle).to_pyarrow()
    assert back.column("text").type == pa.large_string()
    assert back.cast(TABLE.schema).equals(TABLE)


def test_pandas_round_trip_through_the_engine():
    frame = TABLE.to_pandas()
    handle = DocumentBatch.from_pandas(frame)._to_native()
    again = DocumentBatch._wrap(handle).to_pandas()
    assert again["text"].tolist() == frame["text"].tolist()
    assert again["n"].tolist() == [1, 2, 3]
    assert again["flag"].tolist() == [True, False, True]
    assert again["score"].tolist() == [0.5, 1.5, -2.0]


def test_arrow_c_stream_is_exported_and_accepted():
    batch = DocumentBatch.from_arrow(TABLE)  # any __arrow_c_stream__ object, no pyarrow needed
    assert batch.num_items == 3
    reader = pa.RecordBatchReader.from_stream(batch)
    assert reader.read_all().cast(TABLE.schema).equals(TABLE)
    assert pa.table(batch).num_rows == 3


def test_text_leaves_without_a_copy():
    handle = DocumentBatch.from_pyarrow(TABLE)._to_native()
    first = pa.RecordBatchReader.from_stream(handle).read_all()
    second = pa.RecordBatchReader.from_stream(handle).read_all()
    data_buffer = lambda table: table.column("text").chunks[0].buffers()[2].address
    assert data_buffer(first) == data_buffer(second)


def test_sliced_batches_export_their_window(corpus):
    outputs = Pipeline("slices", stages=[
        JsonlReader(str(corpus), fields=["n"], batch_rows=5),
        ScoreFilter(WordCountFilter(min_words=3, max_words=1000)),
    ]).run()
    rows = sorted(n for task in outputs for n in task.to_pyarrow().column("n").to_pylist())
    assert rows == list(range(3, 120))
    for task in outputs:
        table = task.to_pyarrow()
        assert [len(t.split()) for t in table.column("text").to_pylist()] == \
            table.column("n").to_pylist()


def test_many_chunks_become_one_batch():
    table = pa.concat_tables([TABLE, TABLE])
    handle = native().NativeBatch.from_arrow(table.to_reader())
    assert handle.num_rows == 6


def test_nulls_and_unsupported_types_are_rejected_with_the_column_name():
    with pytest.raises(ValueError, match="column 'text' has null values"):
        DocumentBatch.from_arrow(pa.table({"text": ["a", None]}))
    with pytest.raises(ValueError, match="column 'when'"):
        DocumentBatch.from_arrow(pa.table({"when": pa.array([1], pa.timestamp("s"))}))


def test_parquet_round_trip(tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    pq.write_table(pa.table({"text": ["a b c d e", "a", "a b c d e f g"], "n": [5, 1, 7]}),
                   source / "part.parquet")
    Pipeline("parquet", stages=[
        ParquetReader(str(source)),
        ScoreFilter(WordCountFilter(min_words=3)),
        ParquetWriter(str(tmp_path / "out")),
    ]).run()
    written = list((tmp_path / "out").glob("*.parquet"))
    assert len(written) == 1
    assert pq.read_table(written[0]).to_pydict() == {"text": ["a b c d e", "a b c d e f g"],
                                                     "n": [5, 7]}


def test_missing_pyarrow_names_the_extra(monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match=r"pip install 'curate\[parquet\]'"):
        ParquetReader(str(tmp_path))
    with pytest.raises(ImportError, match=r"curate\[parquet\]"):
        DocumentBatch.from_arrow(TABLE).to_pyarrow()
