"""Near-duplicate instructions: MinHash with LSH banding over word n-grams, verified, in SQL.

1. Each live task's normalised instruction becomes the set of hashes of its word n-grams, one
   (task, n-gram) row each.
2. MinHash: K = bands x rows minimums, all in one GROUP BY over those rows. The k-th hash
   function is `hash(h XOR c_k)` with a fixed random 64-bit c_k: a fresh pseudo-random order of
   the n-grams per k, so the k-th minimums of two sets agree with probability = their Jaccard
   similarity. (Plain `h XOR c_k` is cheaper but orders by a bit-trie, which biases that
   probability; DuckDB's hash of an integer is a cheap mixing step.)
3. LSH: a band's key hashes its `rows` minimums; two tasks are candidates when they share a
   band key. A bucket pairs each member with its *earliest* member only, so a bucket of m
   near-copies costs m pairs, not m²/2 (a later task similar to a middle member but not to the
   first is usually caught in another band, where the first is absent).
4. Sketch check: a candidate pair is kept when its K minimums agree at least as often as a pair
   exactly at the threshold would, minus 4.5 standard deviations. Templated instructions give
   many candidates well below the threshold; this drops most of them for the cost of comparing
   K integers, and drops a pair at the threshold with probability < 1e-5.
5. Verification: the real Jaccard similarity of the n-gram sets, by joining the pairs to the
   (task, n-gram) rows. A pair at or above the threshold drops its later task (task order:
   `tables.TASK_ORDER`), whether or not the earlier one is itself dropped by another pair. That
   rule needs no sequential pass and does not depend on the order pairs are found in.

A recombined task is not compared with tasks of its own family: it contains its parents'
instructions by construction, and they end up on the same side of the split anyway.

`rows` is chosen so a pair exactly at the threshold is a candidate with probability >= 0.99
(with 20 bands: 7 rows at 0.8); pairs above it are found more surely still.
"""

from __future__ import annotations

import math
import random

import duckdb

from builder.curation.ledger import propagate
from builder.curation.result import NearDuplicateCheck
from builder.curation.text import shingles

STAGE = "near_duplicates"
BANDS = 20
MAX_ROWS = 8
RECALL_AT_THRESHOLD = 0.99
SKETCH_SIGMAS = 4.5
_XOR = [random.Random(f"builder-minhash-{k}").getrandbits(64) for k in range(BANDS * MAX_ROWS)]
_TABLES = ("nd_flat", "nd_size", "nd_sig", "nd_bands", "nd_pairs", "nd_likely", "nd_verified")


def lsh_rows(threshold: float, bands: int = BANDS, recall: float = RECALL_AT_THRESHOLD) -> int:
    """The most rows per band (fewest false candidates) that still find a pair at the threshold
    with probability `recall`: 1 - (1 - t^rows)^bands >= recall."""
    best = 1
    for rows in range(1, MAX_ROWS + 1):
        if 1 - (1 - threshold ** rows) ** bands >= recall:
            best = rows
    return best


def sketch_agreements(threshold: float, k: int) -> int:
    """Minimums (of k) a candidate pair must share to be verified."""
    margin = SKETCH_SIGMAS * math.sqrt(threshold * (1 - threshold) / k)
    return max(0, math.floor(k * (threshold - margin)))


def drop_near_duplicates(con: duckdb.DuckDBPyConnection, threshold: float, ngram: int) -> NearDuplicateCheck:
    rows = lsh_rows(threshold)
    k = BANDS * rows
    con.execute(f"""
        CREATE TABLE nd_flat AS
        SELECT rank, unnest({shingles('w', ngram)}) AS h
        FROM (SELECT rank, string_split(norm, ' ') AS w FROM live_tasks)
    """)
    con.execute("CREATE TABLE nd_size AS SELECT rank, count(*) AS n FROM nd_flat GROUP BY rank")
    minimums = ", ".join(f"(min(hash(xor(h, {_XOR[i]}::UBIGINT))) >> 32)::UINTEGER AS m{i}" for i in range(k))
    con.execute(f"CREATE TABLE nd_sig AS SELECT rank, {minimums} FROM nd_flat GROUP BY rank")
    keys = ", ".join("hash(" + ", ".join(f"m{b * rows + r}" for r in range(rows)) + ")" for b in range(BANDS))
    con.execute(f"CREATE TABLE nd_bands AS SELECT rank, unnest(range({BANDS})) AS band, unnest([{keys}]) AS key FROM nd_sig")
    con.execute("""
        CREATE TABLE nd_pairs AS
        WITH buckets AS (
            SELECT band, key, min(rank) AS first FROM nd_bands GROUP BY band, key HAVING count(*) > 1
        )
        SELECT DISTINCT buckets.first AS a, nd_bands.rank AS b
        FROM nd_bands JOIN buckets USING (band, key) WHERE nd_bands.rank > buckets.first
    """)
    agreements = " + ".join(f"(x.m{i} = y.m{i})::INTEGER" for i in range(k))
    con.execute(f"""
        CREATE TABLE nd_likely AS
        SELECT p.a, p.b
        FROM nd_pairs p
        JOIN nd_sig x ON x.rank = p.a JOIN nd_sig y ON y.rank = p.b
        JOIN tasks ta ON ta.rank = p.a JOIN tasks tb ON tb.rank = p.b
        WHERE NOT (coalesce(ta.family = tb.family, false) AND (ta.kind = 'recombined' OR tb.kind = 'recombined'))
          AND {agreements} >= {sketch_agreements(threshold, k)}
    """)
    con.execute(f"""
        CREATE TABLE nd_verified AS
        WITH inter AS (
            SELECT l.a, l.b, count(*) AS n
            FROM nd_likely l
            JOIN nd_flat fa ON fa.rank = l.a
            JOIN nd_flat fb ON fb.rank = l.b AND fb.h = fa.h
            GROUP BY l.a, l.b
        )
        SELECT inter.a, inter.b
        FROM inter JOIN nd_size sa ON sa.rank = inter.a JOIN nd_size sb ON sb.rank = inter.b
        WHERE inter.n >= {threshold!r} * (sa.n + sb.n - inter.n) - 1e-9
    """)
    con.execute(f"""
        INSERT INTO task_fate
        SELECT tb.task_id, '{STAGE}', 'near_duplicate_instruction', arg_min(ta.task_id, ta.rank)
        FROM nd_verified v JOIN tasks ta ON ta.rank = v.a JOIN tasks tb ON tb.rank = v.b
        GROUP BY tb.task_id
    """)
    propagate(con, STAGE)
    counts = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("nd_pairs", "nd_likely", "nd_verified")]
    for table in _TABLES:
        con.execute(f"DROP TABLE {table}")
    return NearDuplicateCheck(bands=BANDS, rows=rows, candidate_pairs=counts[0], sketch_pairs=counts[1], verified_pairs=counts[2])
