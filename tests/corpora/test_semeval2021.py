from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from propscope.corpora.semeval2021 import read_semeval2021, write_semeval2021
from propscope.errors import CorpusFormatError, UnknownLabelError
from propscope.taxonomy import mapping
from propscope.types import Document, Span


def test_read_subtask1_techniques_in_metadata(resources: Path) -> None:
    docs = read_semeval2021(resources / "semeval2021" / "subtask-1.json")
    assert [d.id for d in docs] == ["11", "12", "13"]
    assert docs[0].metadata["techniques"] == ["False_Dilemma-No_Choice", "Slogans"]
    assert docs[1].metadata["techniques"] == ["Conversation_Killer", "Questioning_the_Reputation"]
    assert docs[1].text.endswith("cliché.")
    assert docs[2].metadata["techniques"] == []


def test_read_subtask2_spans_keep_file_order(resources: Path) -> None:
    docs = read_semeval2021(resources / "semeval2021" / "subtask-2.json")
    first = docs[0]
    assert [(s.start, s.end, s.technique) for s in first.spans] == [
        (0, 15, "Slogans"),
        (0, 35, "False_Dilemma-No_Choice"),
    ]
    assert first.spans[1].text == "VOTE FOR CHANGE\n\nOR LOSE EVERYTHING"
    assert docs[2].spans == ()


@pytest.mark.parametrize("subtask", [1, 2])
def test_semeval2021_golden(resources: Path, tmp_path: Path, subtask: int) -> None:
    name = f"subtask-{subtask}.json"
    out = tmp_path / name
    write_semeval2021(out, read_semeval2021(resources / "semeval2021" / name), subtask=subtask)
    expected = resources / "semeval2021" / "expected" / name
    assert out.read_bytes() == expected.read_bytes()


@pytest.mark.parametrize("subtask", [1, 2])
def test_semeval2021_round_trip(resources: Path, tmp_path: Path, subtask: int) -> None:
    docs = read_semeval2021(resources / "semeval2021" / f"subtask-{subtask}.json")
    write_semeval2021(tmp_path / "out.json", docs, subtask=subtask)
    again = read_semeval2021(tmp_path / "out.json")
    assert again == docs
    assert [d.metadata for d in again] == [d.metadata for d in docs]


def test_write_subtask1_falls_back_to_span_techniques(tmp_path: Path) -> None:
    text = "Liars and cowards, all of them."
    doc = Document("5", text).with_spans(
        [
            Span.from_text(text, 0, 5, "Name_Calling-Labeling"),
            Span.from_text(text, 10, 17, "Name_Calling-Labeling"),
            Span.from_text(text, 0, 17, "Loaded_Language"),
        ]
    )
    write_semeval2021(tmp_path / "st1.json", [doc], subtask=1)
    data = json.loads((tmp_path / "st1.json").read_text(encoding="utf-8"))
    assert data == [
        {"id": "5", "labels": ["Name calling/Labeling", "Loaded Language"], "text": text}
    ]


def test_write_technique_without_2021_name_raises_and_writes_nothing(tmp_path: Path) -> None:
    text = "It is now or never."
    doc = Document("5", text, spans=(Span.from_text(text, 0, 18, "Appeal_to_Time"),))
    with pytest.raises(CorpusFormatError, match="Appeal_to_Time"):
        write_semeval2021(tmp_path / "st2.json", [doc])
    assert list(tmp_path.iterdir()) == []


def test_write_unknown_subtask_raises(tmp_path: Path) -> None:
    with pytest.raises(UnknownLabelError, match=r"\[E023\]"):
        write_semeval2021(tmp_path / "x.json", [], subtask=3)  # type: ignore[arg-type]


def test_semeval2021_mapping_is_one_to_one() -> None:
    values = list(mapping.SEMEVAL2021_TO_SEMEVAL2023.values())
    assert len(set(values)) == len(values)


BROKEN: list[Any] = [
    pytest.param('[{"id": "1", "text": "abc"}', "line 1", id="truncated-json"),
    pytest.param('{"id": "1"}', "not a list", id="not-a-list"),
    pytest.param('[{"id": "1"}]', "item 0", id="no-text"),
    pytest.param('[{"id": "1", "text": "abc", "labels": ["Lies"]}]', "'Lies'", id="st1-tech"),
    pytest.param(
        '[{"id": "1", "text": "abc", "labels": [{"start": 0, "end": 9, "technique": "Doubt"}]}]',
        "outside the text",
        id="span-past-end",
    ),
    pytest.param(
        '[{"id": "1", "text": "abc", "labels": [{"start": 2, "end": 1, "technique": "Doubt"}]}]',
        "E010",
        id="start-after-end",
    ),
    pytest.param(
        '[{"id": "1", "text": "abc", "labels": [{"start": "x", "end": 1, "technique": "Doubt"}]}]',
        "bad span",
        id="non-int",
    ),
    pytest.param(
        '[{"id": "1", "text": "abc", "labels": [{"start": 0, "end": 1, "technique": "Lies"}]}]',
        "'Lies'",
        id="st2-tech",
    ),
]


@pytest.mark.parametrize(("content", "problem"), BROKEN)
def test_read_semeval2021_malformed(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CorpusFormatError) as info:
        read_semeval2021(path)
    assert str(path) in str(info.value)
    assert problem in str(info.value)


# ----------------------------------------------------------------- real corpus (slow)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("split", "memes", "labels", "spans"), [("train", 688, 1184, 1498), ("dev", 63, 123, 182)]
)
def test_real_semeval2021_counts_match_readme(
    data_dir: Path, split: str, memes: int, labels: int, spans: int
) -> None:
    root = data_dir / "semeval2021-task6"
    st1 = read_semeval2021(root / "subtask-1" / f"{split}.json")
    st2 = read_semeval2021(root / "subtask-2" / f"{split}.json")
    assert len(st1) == len(st2) == memes
    assert sum(len(d.metadata["techniques"]) for d in st1) == labels
    assert sum(len(d.spans) for d in st2) == spans
    assert [d.id for d in st1] == [d.id for d in st2]


@pytest.mark.slow
@pytest.mark.parametrize("subtask", [1, 2])
def test_real_semeval2021_writes_back_same_json(
    data_dir: Path, tmp_path: Path, subtask: int
) -> None:
    source = data_dir / "semeval2021-task6" / f"subtask-{subtask}" / "train.json"
    write_semeval2021(tmp_path / "out.json", read_semeval2021(source), subtask=subtask)
    written = (tmp_path / "out.json").read_text(encoding="utf-8")
    # Same data; bytes differ only because the organisers' span objects vary their key order.
    assert json.loads(written) == json.loads(source.read_text(encoding="utf-8"))
    if subtask == 1:
        assert written == source.read_text(encoding="utf-8")
