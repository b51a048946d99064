#!/usr/bin/env bash
# Self-check of gen_corpus: determinism, valid JSONL, planted duplicates and their
# ground truth (Jaccard recomputed independently in Python), sizes and compression.
# Usage: tools/gen_corpus/selfcheck.sh [path/to/gen_corpus]   (default build-gen/bin/gen_corpus)
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(realpath "${1:-$repo/build-gen/bin/gen_corpus}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "selfcheck: FAIL: $*" >&2; exit 1; }

echo "== determinism (directory of 3 parts, twice, same seed)"
"$bin" --output a --documents 3000 --files 3 --seed 7 >/dev/null
"$bin" --output b --documents 3000 --files 3 --seed 7 >/dev/null
diff -r a b >/dev/null || fail "same options and seed gave different bytes"
cmp -s a.truth.jsonl b.truth.jsonl || fail "same options and seed gave different ground truth"
"$bin" --output c --documents 3000 --files 3 --seed 8 >/dev/null
cmp -s a/part-00000.jsonl c/part-00000.jsonl && fail "seeds 7 and 8 gave the same corpus"
[ "$(ls a)" = "$(printf 'part-00000.jsonl\npart-00001.jsonl\npart-00002.jsonl')" ] \
  || fail "unexpected files: $(ls a | tr '\n' ' ')"

echo "== compression (gz and zst decompress to the plain file, and are deterministic)"
"$bin" --output plain.jsonl --documents 500 --seed 3 >/dev/null
"$bin" --output z1.jsonl.gz --documents 500 --seed 3 >/dev/null
"$bin" --output z2.jsonl.gz --documents 500 --seed 3 --compress gz >/dev/null
"$bin" --output z1.jsonl.zst --documents 500 --seed 3 >/dev/null
"$bin" --output z2.jsonl.zst --documents 500 --seed 3 --compress zst >/dev/null
cmp -s z1.jsonl.gz z2.jsonl.gz || fail "gzip output not deterministic"
cmp -s z1.jsonl.zst z2.jsonl.zst || fail "zstd output not deterministic"
gzip -dc z1.jsonl.gz | cmp -s - plain.jsonl || fail "gzip output differs from plain"
zstd -dcq z1.jsonl.zst | cmp -s - plain.jsonl || fail "zstd output differs from plain"
cmp -s plain.jsonl.truth.jsonl z1.jsonl.gz.truth.jsonl || fail "ground truth depends on compression"
ls ./*.tmp 2>/dev/null && fail "temporary files left behind"

echo "== --size (stops after the record that reaches the target)"
"$bin" --output sized --size 1M --files 2 --doc-bytes 4K >/dev/null
total=$(cat sized/part-*.jsonl | wc -c)
[ "$total" -ge 1048576 ] && [ "$total" -lt $((1048576 + 65536)) ] || fail "--size 1M wrote $total bytes"

echo "== bad options are refused"
"$bin" --output x >/dev/null 2>&1 && fail "accepted neither --documents nor --size"
"$bin" --output x.jsonl --documents 5 --files 2 >/dev/null 2>&1 && fail "accepted --files 2 for a file"
"$bin" --output x --size 12Q >/dev/null 2>&1 && fail "accepted --size 12Q"
"$bin" --output x --documents 5 --exact-dup-share 0.6 --near-dup-share 0.5 >/dev/null 2>&1 \
  && fail "accepted shares summing over 1"

echo "== JSONL records and ground truth (Python)"
python3 - a 3000 <<'PY'
import json, re, sys, glob, collections

root, expected = sys.argv[1], int(sys.argv[2])
docs, order = {}, []
for path in sorted(glob.glob(f"{root}/part-*.jsonl")):
    with open(path, "rb") as f:
        for number, raw in enumerate(f, 1):
            line = raw.decode("utf-8")  # strict: raises on invalid UTF-8
            assert line.endswith("\n"), (path, number)
            d = json.loads(line)
            assert set(d) == {"id", "text", "source", "url", "quality", "word_count"}, d.keys()
            n = int(d["id"].removeprefix("doc-"))
            assert d["url"] == f"https://example.com/{n}" and d["source"] == "gen_corpus"
            assert d["quality"] in {"good", "boilerplate", "repeated_lines", "symbol_soup", "too_short"}
            assert d["word_count"] == len(re.split(r"[ \t\n\r]+", d["text"].strip())), d["id"]
            assert d["id"] not in docs, "duplicate id " + d["id"]
            docs[d["id"]] = d
            order.append(n)
assert order == list(range(expected)), "ids are not doc-0 .. doc-N-1 in file order"
qualities = collections.Counter(d["quality"] for d in docs.values())
low = expected - qualities["good"]
assert abs(low - 0.1 * expected) <= 1, qualities

# The definition stated in gen_corpus --help, implemented independently.
PUNCT = re.compile(r"[!-/:-@\[-`{-~]")
def grams(text):
    words = [w for w in (PUNCT.sub("", t).translate(str.maketrans(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"))
        for t in re.split(r"[ \t\n\v\f\r]+", text)) if w]
    return {" ".join(words[i:i + 5]) for i in range(len(words) - 4)}
def jaccard(a, b):
    A, B = grams(a), grams(b)
    return 1.0 if not A and not B else len(A & B) / len(A | B)

truth = [json.loads(l) for l in open(f"{root}.truth.jsonl")]
kinds = collections.Counter(t["kind"] for t in truth)
assert kinds["exact"] == round(0.05 * expected) and kinds["near"] == round(0.05 * expected), kinds
rates = collections.Counter(t["edit_rate"] for t in truth if t["kind"] == "near")
assert set(rates) == {0.02, 0.05, 0.1, 0.2} and max(rates.values()) - min(rates.values()) <= 1, rates
worst, files_crossed = 0.0, 0
for t in truth:
    copy, source = docs[t["copy_id"]], docs[t["source_id"]]
    c, s = int(t["copy_id"][4:]), int(t["source_id"][4:])
    assert c >= s + 2, f"copy {c} not placed at a later, non-adjacent position than {s}"
    assert source["quality"] == "good" and copy["quality"] == "good"
    files_crossed += (c * 3 // expected) != (s * 3 // expected)
    if t["kind"] == "exact":
        assert copy["text"] == source["text"] and t["jaccard"] == 1, t
    else:
        assert copy["text"] != source["text"] and t["edits"] >= 1, t
        worst = max(worst, abs(jaccard(source["text"], copy["text"]) - t["jaccard"]))
assert worst <= 1e-9, f"Jaccard differs from Python's by {worst}"
assert files_crossed > 0, "no copy lies in another file than its source"
mean = {r: sum(t["jaccard"] for t in truth if t.get("edit_rate") == r) / n for r, n in rates.items()}
print(f"   {len(docs)} records valid; qualities {dict(qualities)}")
print(f"   {len(truth)} ground-truth pairs; Jaccard recomputed for all near copies, max |diff| {worst:g}")
print("   mean Jaccard by edit rate: " + ", ".join(f"{r}: {mean[r]:.3f}" for r in sorted(mean)))
PY
echo "selfcheck: OK"
