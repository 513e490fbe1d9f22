"""Shared fixtures and the ``--runslow`` option (tests marked ``slow`` need it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from propscope.types import Document, Label, Paragraph, Span

REPO = Path(__file__).resolve().parents[1]
RESOURCES = Path(__file__).resolve().parent / "resources"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--runslow", action="store_true", default=False, help="run the tests marked slow"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow"):
        return
    skip_slow = pytest.mark.skip(reason="slow test: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)


def shared_data_dir() -> Path | None:
    """``$PROPSCOPE_DATA`` or ``../shared/data`` beside the repository, if it exists."""
    candidate = Path(os.environ.get("PROPSCOPE_DATA", REPO.parent / "shared" / "data"))
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared corpora; tests using this fixture skip where they are absent."""
    path = shared_data_dir()
    if path is None:
        pytest.skip(
            "shared corpora not found: set PROPSCOPE_DATA to the folder holding "
            "ptc-semeval2020/, semeval2023-task3/ and semeval2021-task6/ "
            "(default: ../shared/data)"
        )
    return path.resolve()


@pytest.fixture(scope="session")
def repo() -> Path:
    """The repository root."""
    return REPO


@pytest.fixture
def resources() -> Path:
    """The folder of tiny hand-written fixtures (invented text, no corpus content)."""
    return RESOURCES


# Hand-written training snippets: (text, [(fragment, technique)], genre, frames).
TINY_CORPUS = [
    (
        "The senator is a corrupt traitor.\nHe voted on the budget today.",
        [("corrupt traitor", "Name_Calling-Labeling")],
        "opinion",
        ["Political"],
    ),
    (
        "These crooks will destroy everything we love.\nThe meeting ended at noon.",
        [("crooks", "Name_Calling-Labeling"), ("destroy everything we love", "Loaded_Language")],
        "opinion",
        ["Political", "Morality"],
    ),
    (
        "The minister opened a new school on Monday.\nStudents start lessons next week.",
        [],
        "reporting",
        ["Quality_of_life"],
    ),
    (
        "Who could possibly trust such a liar?\nThe report was published in March.",
        [("Who could possibly trust", "Doubt"), ("liar", "Name_Calling-Labeling")],
        "opinion",
        ["Morality"],
    ),
    (
        "Officials said the bridge will reopen in June.\nTraffic was diverted.",
        [],
        "reporting",
        ["Economic"],
    ),
    (
        "The mayor, a shameless traitor, lied again.\nThe council met on Friday.",
        [("shameless traitor", "Name_Calling-Labeling"), ("lied again", "Loaded_Language")],
        "opinion",
        ["Political"],
    ),
]


def tiny_documents() -> list[Document]:
    """Gold documents built from :data:`TINY_CORPUS` (spans also give paragraph labels)."""
    docs = []
    for i, (text, fragments, genre, frames) in enumerate(TINY_CORPUS):
        spans = []
        for fragment, technique in fragments:
            start = text.index(fragment)
            spans.append(Span.from_text(text, start, start + len(fragment), technique))
        doc = Document(f"tiny{i}", text, genre=Label(genre), frames=tuple(Label(f) for f in frames))
        paragraphs = []
        for par in doc.paragraphs:
            names = sorted({s.technique for s in spans if s.start < par.end and s.end > par.start})
            paragraphs.append(Paragraph(par.index, par.start, par.end, tuple(map(Label, names))))
        docs.append(doc.with_spans(spans).with_labels(paragraphs=paragraphs))
    return docs


@pytest.fixture(scope="session")
def tiny_docs() -> list[Document]:
    return tiny_documents()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete pipeline trained on the tiny corpus in seconds, saved to a folder."""
    from propscope.training import fit_pipeline
    from propscope.training_data import TrainConfig, TrainingData

    docs = tiny_documents()
    config = TrainConfig(
        name="tiny",
        tagger={"epochs": 25, "frozen_layers": 4, "validation_fraction": 0.0, "batch_size": 8},
        paragraphs={"min_df": 1, "tuning_folds": 2, "min_support_per_label": 100},
        genre={"min_df": 1},
        frames={"min_df": 1, "tuning_folds": 2},
        pipeline={"paragraph_source": "union"},  # exercises the combination of both sources
    )
    pipeline = fit_pipeline(config, TrainingData(docs, docs, docs, docs, ["tiny"]))
    return pipeline.save(tmp_path_factory.mktemp("models") / "tiny")
