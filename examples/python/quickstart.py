"""NeMo Curator's text quickstart, with curate's imports.

    python examples/python/quickstart.py [INPUT_GLOB] [OUTPUT_DIR]

reads JSONL documents (default: data/sample/*.jsonl, made by `make run`), keeps those
of 50 to 100,000 words, and writes them as JSONL (default: out/python-quickstart).
"""

import sys

from curate.pipeline import Pipeline
from curate.stages.text.filters import ScoreFilter
from curate.stages.text.filters.heuristic import WordCountFilter
from curate.stages.text.io.reader import JsonlReader
from curate.stages.text.io.writer import JsonlWriter


def main(input_paths: str, output_path: str) -> None:
    pipeline = Pipeline(name="text_curation", description="Filter documents by word count")
    pipeline.add_stage(JsonlReader(file_paths=input_paths))
    pipeline.add_stage(
        ScoreFilter(WordCountFilter(min_words=50, max_words=100000), text_field="text"))
    pipeline.add_stage(JsonlWriter(path=output_path))

    results = pipeline.run()
    print(f"Pipeline '{pipeline.name}' wrote {len(results)} files to {output_path}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/sample/*.jsonl",
         sys.argv[2] if len(sys.argv) > 2 else "out/python-quickstart")
