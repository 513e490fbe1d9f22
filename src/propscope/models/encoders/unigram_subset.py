"""A large unigram tokenizer that starts in milliseconds: each call builds the tokenizer of the
pieces its texts can use.

Loading multilingual-e5-small's ``tokenizer.json`` (250,002 unigram pieces) takes the tokenizers
library about 0.65 s, most of a command's model load. A unigram tokenizer segments each word
(after normalisation and pre-tokenisation) by a Viterbi search over the vocabulary pieces that
are substrings of that word, so a tokenizer holding only the pieces that occur in the texts at
hand, with the same scores, normaliser and pre-tokeniser, gives the same segmentation. Two more
pieces keep it exact: the unknown piece, and the lowest-scoring piece (an unknown character is
scored below the vocabulary's lowest score).

:func:`write_unigram_index` stores, beside ``tokenizer.json``, a sorted 128-bit hash of every
piece with its id and score (``unigram-index.npz``) and the tokenizer without its vocabulary
(``tokenizer-template.json``). :class:`SubsetUnigramTokenizer` loads those in milliseconds,
finds each call's pieces by hashing the substrings of its words, and maps the ids back. After
``full_after`` calls (training, say) it loads the whole tokenizer once and uses that; servers
and batch workers load it at start (:func:`load_whole_tokenizers`). Texts holding a special
token's text (such as ``<s>``) go to the whole tokenizer too, since the tokenizer splits them
out before normalising, and so do calls of more than ``subset_chars`` characters, whose
substrings would take longer to hash (about 3 µs a character) than the whole tokenizer takes
to load.

The two paths give identical ids and offsets on the SemEval-2023 dev articles of the six
languages (``tests/models/encoders/test_unigram_subset.py``; their train articles were checked
once too, 2,027 articles in all).
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

#: Token ids (no special tokens) and their character offsets.
Row = tuple[list[int], list[tuple[int, int]]]

INDEX_FILE = "unigram-index.npz"
TEMPLATE_FILE = "tokenizer-template.json"


def _hashes(pieces: Sequence[str]) -> np.ndarray:
    """``(n, 2)`` int64: MurmurHash3's 128-bit hash of each piece."""
    import mmh3

    return np.array([mmh3.hash64(p, signed=True) for p in pieces], dtype=np.int64).reshape(-1, 2)


def write_unigram_index(folder: Path) -> bool:
    """Write :data:`INDEX_FILE` and :data:`TEMPLATE_FILE` for the unigram ``tokenizer.json`` in
    ``folder``; ``False`` (and nothing written) when it is not a unigram model or two pieces
    share a hash."""
    data = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    model = data.get("model") or {}
    if model.get("type") != "Unigram" or model.get("byte_fallback"):
        return False
    pieces = [piece for piece, _ in model["vocab"]]
    scores = np.array([score for _, score in model["vocab"]], dtype=np.float64)
    hashes = _hashes(pieces)
    order = np.argsort(hashes[:, 0], kind="stable")
    first = hashes[order, 0]
    if len(np.unique(first)) != len(first):
        return False
    unk = int(model["unk_id"])
    added = [int(token["id"]) for token in data.get("added_tokens") or []]
    keep = sorted({unk, int(scores.argmin()), *added})
    template = dict(data)
    template["model"] = {
        **model,
        "vocab": [model["vocab"][i] for i in keep],
        "unk_id": keep.index(unk),
    }
    template["added_tokens"] = []  # added again per call, with their ids in each call's pieces
    np.savez(
        folder / INDEX_FILE,
        first=first,
        second=hashes[order, 1],
        ids=order.astype(np.int32),
        scores=scores,
        max_chars=np.array(max(len(p) for p in pieces)),
    )
    stored = {
        "tokenizer": template,
        "added_tokens": data.get("added_tokens") or [],
        "unk_id": unk,
        "pieces": {str(i): model["vocab"][i][0] for i in keep},
    }
    (folder / TEMPLATE_FILE).write_text(json.dumps(stored), encoding="utf-8")
    return True


def rows(encodings: Sequence[Any], max_tokens: int | None = None) -> list[Row]:
    """``(ids, offsets)`` of each of the tokenizers library's encodings, cut to ``max_tokens``."""
    return [
        (list(e.ids)[:max_tokens], [tuple(o) for o in e.offsets][:max_tokens]) for e in encodings
    ]


def has_unigram_index(folder: Path) -> bool:
    """Whether ``folder`` holds :func:`write_unigram_index`'s files."""
    return (folder / INDEX_FILE).is_file() and (folder / TEMPLATE_FILE).is_file()


_LIVE: weakref.WeakSet[SubsetUnigramTokenizer] = weakref.WeakSet()


def load_whole_tokenizers() -> None:
    """Load the whole tokenizer behind every subset tokenizer now: for servers and batch
    workers, which would otherwise pay for it during their 17th call."""
    for tokenizer in list(_LIVE):
        tokenizer.load_whole()


class SubsetUnigramTokenizer:
    """:class:`~propscope.models.encoders.bert.TextTokenizer`'s interface over a unigram
    tokenizer folder with :func:`write_unigram_index`'s files (see the module docstring)."""

    def __init__(
        self, folder: Path, load_full: Any, full_after: int = 16, subset_chars: int = 100_000
    ) -> None:
        from tokenizers import AddedToken, Tokenizer

        index = np.load(folder / INDEX_FILE)
        self._first, self._second = index["first"], index["second"]
        self._ids, self._scores = index["ids"], index["scores"]
        self._max_chars = int(index["max_chars"])
        stored = json.loads((folder / TEMPLATE_FILE).read_text(encoding="utf-8"))
        self._template = Tokenizer.from_str(json.dumps(stored["tokenizer"]))
        self._unk = int(stored["unk_id"])
        self._known = {int(i): piece for i, piece in stored["pieces"].items()}
        self._added = [
            AddedToken(
                t["content"],
                single_word=t.get("single_word", False),
                lstrip=t.get("lstrip", False),
                rstrip=t.get("rstrip", False),
                normalized=t.get("normalized", True),
                special=t.get("special", False),
            )
            for t in stored["added_tokens"]
        ]
        self._special_texts = [t["content"] for t in stored["added_tokens"]]
        self._piece_ids = {piece: i for i, piece in self._known.items()}
        self._load_full = load_full
        self._full: Any = None
        self._calls = 0
        self._full_after = full_after
        self._subset_chars = subset_chars
        self._lock = threading.Lock()
        _LIVE.add(self)

    def load_whole(self) -> None:
        """Load the whole tokenizer now; every later call uses it."""
        self._full_tokenizer()

    def _full_tokenizer(self) -> Any:
        with self._lock:
            if self._full is None:
                self._full = self._load_full()
            return self._full

    def token_to_id(self, token: str) -> int | None:
        """The id of a special piece (those the template keeps), else ``None``."""
        return self._piece_ids.get(token)

    def encode_rows(self, texts: Sequence[str], max_tokens: int | None = None) -> list[Row]:
        """Ids (no special tokens) and character offsets of the tokens of each text, cut to
        its first ``max_tokens`` tokens."""
        self._calls += 1
        texts = list(texts)
        if (
            self._full is not None
            or self._calls > self._full_after
            or sum(len(t) for t in texts) > self._subset_chars
            or any(s in t for t in texts for s in self._special_texts)
        ):
            full = self._full_tokenizer()
            return rows(full.encode_batch(texts, add_special_tokens=False), max_tokens)
        tokenizer, ids = self._subset(texts)
        return [
            ([ids[i] for i in ids_], offsets)
            for ids_, offsets in rows(
                tokenizer.encode_batch(texts, add_special_tokens=False), max_tokens
            )
        ]

    def _candidates(self, texts: Sequence[str]) -> set[str]:
        normalizer, pre_tokenizer = self._template.normalizer, self._template.pre_tokenizer
        found: set[str] = set()
        limit = self._max_chars
        for text in texts:
            normalized = normalizer.normalize_str(text) if normalizer is not None else text
            for word, _ in pre_tokenizer.pre_tokenize_str(normalized):
                n = len(word)
                for i in range(n):
                    found.update(word[i:j] for j in range(i + 1, min(n, i + limit) + 1))
        return found

    def _subset(self, texts: Sequence[str]) -> tuple[Any, list[int]]:
        """A tokenizer of the pieces ``texts`` can use, and its ids in the whole vocabulary."""
        import mmh3
        from tokenizers import Tokenizer, models

        candidates = sorted(self._candidates(texts))
        vocab: dict[int, str] = dict(self._known)
        if candidates:
            hashes = np.array(
                [mmh3.hash64(c, signed=True) for c in candidates], dtype=np.int64
            ).reshape(-1, 2)
            at = np.minimum(np.searchsorted(self._first, hashes[:, 0]), len(self._first) - 1)
            hit = (self._first[at] == hashes[:, 0]) & (self._second[at] == hashes[:, 1])
            for k in np.flatnonzero(hit):
                vocab[int(self._ids[at[k]])] = candidates[k]
        ids = sorted(vocab)
        local = {full: i for i, full in enumerate(ids)}
        model = models.Unigram(
            [(vocab[i], float(self._scores[i])) for i in ids], local[self._unk], byte_fallback=False
        )
        tokenizer = Tokenizer(model)
        tokenizer.normalizer = self._template.normalizer
        tokenizer.pre_tokenizer = self._template.pre_tokenizer
        tokenizer.add_special_tokens(self._added)
        return tokenizer, ids


__all__ = [
    "INDEX_FILE",
    "TEMPLATE_FILE",
    "Row",
    "SubsetUnigramTokenizer",
    "has_unigram_index",
    "load_whole_tokenizers",
    "rows",
    "write_unigram_index",
]
