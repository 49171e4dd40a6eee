"""Text as curation compares it: normalised instructions and their word n-grams, in SQL."""

from __future__ import annotations


def normalized(column: str) -> str:
    """Lowercase; every run of punctuation and whitespace (any script) becomes one space.

    "Cancel order #W1,  please!" and "cancel order W1 please" normalise to the same text.
    """
    return rf"trim(regexp_replace(lower({column}), '[\pP\s]+', ' ', 'g'))"


def shingles(words: str, n: int) -> str:
    """The distinct hashes of the word n-grams of `words` (a list column), or one hash of all
    the words when there are fewer than n.

    Hashing the n words as separate arguments avoids building a list per n-gram, which is
    several times slower at a million rows.
    """
    gram = ", ".join(f"{words}[i + {k}]" for k in range(n))
    return (
        f"list_distinct(CASE WHEN len({words}) < {n} THEN [hash({words})] "
        f"ELSE list_transform(range(1, len({words}) - {n} + 2), lambda i: hash({gram})) END)"
    )
