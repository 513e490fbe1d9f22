"""What a training run learns from: its TOML config, parsed and checked, and the corpora the
config names, read into documents grouped by what each can teach.

Example config (``configs/en-fast.toml`` is the one the bundled model is built from)::

    name = "en-fast"
    language = "en"
    [data]
    semeval2023 = ["en"]     # train splits of these SemEval-2023 languages
    ptc = []                 # PTC splits added to the span tagger's data
    [components]
    tagger = true
    paragraphs = true        # or a model's name: that model's component, used as it is
    genre = true             # (e.g. paragraphs = "multi-fast"; see TrainConfig.borrowed)
    frames = true
    [tagger]                 # any TaggerConfig field
    epochs = 3

    [paragraphs]             # LinearConfig fields; with model = "encoder", the fields of
    model = "encoder"        # EncoderClassifierConfig (span_classifier likewise); with
                             # model = "ensemble", [paragraphs.linear] and [paragraphs.encoder]
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from propscope.config_check import check_config
from propscope.corpora.ptc import read_ptc
from propscope.corpora.semeval2023 import load_split
from propscope.errors import ConfigError, Errors, InputNotFoundError
from propscope.types import Document

COMPONENTS = ("tagger", "span_classifier", "paragraphs", "genre", "frames")


@dataclass
class TrainConfig:
    """A parsed training config. See the module docstring for the TOML layout."""

    name: str = "custom"
    language: str = "en"
    semeval2023: list[str] = field(default_factory=lambda: ["en"])
    ptc: list[str] = field(default_factory=list)
    components: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(COMPONENTS, True))
    # Components taken from another model instead of trained (``[components] paragraphs =
    # "multi-fast"``): component -> a bundled model's name or a model folder. The saved model
    # refers to that model's component rather than holding a copy (PipelineSettings.borrowed).
    borrowed: dict[str, str] = field(default_factory=dict)
    tagger: dict[str, Any] = field(default_factory=dict)
    paragraphs: dict[str, Any] = field(default_factory=dict)
    genre: dict[str, Any] = field(default_factory=dict)
    frames: dict[str, Any] = field(default_factory=dict)
    span_classifier: dict[str, Any] = field(default_factory=dict)
    pipeline: dict[str, Any] = field(default_factory=dict)
    seed: int = 13

    @classmethod
    def from_toml(cls, path: Path) -> TrainConfig:
        """Read a config file; unknown keys are errors, so typos don't pass silently."""
        if not path.exists():
            raise InputNotFoundError(Errors.E005.format(path=path))
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(Errors.E050.format(name=path, value="...", reason=exc)) from exc
        except UnicodeDecodeError as exc:  # a binary file given by mistake
            reason = f"not a UTF-8 TOML file (byte {exc.start}: {exc.reason})"
            raise ConfigError(Errors.E050.format(name=path, value="...", reason=reason)) from exc
        except OSError as exc:
            raise InputNotFoundError(
                Errors.E008.format(path=path, reason=exc.strerror or type(exc).__name__)
            ) from exc
        data = raw.pop("data", {})
        known = {f.name for f in fields(cls)} - {"borrowed"}  # set by [components] only
        unknown = (set(raw) - known) | (set(data) - {"semeval2023", "ptc"})
        if unknown:
            raise ConfigError(
                Errors.E050.format(name=path, value=sorted(unknown), reason="unknown keys")
            )
        check_config(raw, COMPONENTS)
        config = cls(**raw, **data)
        switches = config.components
        config.borrowed = {c: v for c, v in switches.items() if isinstance(v, str)}
        config.components = {
            c: bool(switches.get(c, False)) and c not in config.borrowed for c in COMPONENTS
        }
        return config


@dataclass
class TrainingData:
    """Documents with gold labels, grouped by what each can teach."""

    span_docs: list[Document] = field(default_factory=list)
    paragraph_docs: list[Document] = field(default_factory=list)
    genre_docs: list[Document] = field(default_factory=list)
    frame_docs: list[Document] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def subset(self, keep: Callable[[str], bool]) -> TrainingData:
        """The documents whose id passes ``keep`` (for cross-validation folds)."""
        return TrainingData(
            [d for d in self.span_docs if keep(d.id)],
            [d for d in self.paragraph_docs if keep(d.id)],
            [d for d in self.genre_docs if keep(d.id)],
            [d for d in self.frame_docs if keep(d.id)],
            self.sources,
        )


def load_training_data(config: TrainConfig, data_dir: Path) -> TrainingData:
    """Read the corpora named in ``config`` from ``data_dir`` (laid out like ``shared/data``)."""
    data = TrainingData()
    genre_languages = genre_training_languages(config)
    for lang in config.semeval2023:
        split = load_split(data_dir / "semeval2023-task3", lang, "train")
        docs = split.documents
        data.span_docs += [docs[i] for i in split.ids_by_subtask.get(3, ()) if i in docs]
        data.paragraph_docs += [docs[i] for i in split.ids_by_subtask.get(3, ()) if i in docs]
        if lang in genre_languages:
            data.genre_docs += [d for d in docs.values() if d.genre is not None]
        if 2 in split.gold_subtasks:
            data.frame_docs += [docs[i] for i in split.ids_by_subtask.get(2, ()) if i in docs]
        data.sources.append(f"semeval2023-task3/{lang}/train")
    for lang in genre_languages:
        if lang not in config.semeval2023:  # genre labels only
            docs = load_split(data_dir / "semeval2023-task3", lang, "train").documents
            data.genre_docs += [d for d in docs.values() if d.genre is not None]
            data.sources.append(f"semeval2023-task3/{lang}/train (genre labels)")
    for split_name in config.ptc:
        data.span_docs += read_ptc(data_dir / "ptc-semeval2020" / split_name)
        data.sources.append(f"ptc-semeval2020/{split_name}")
    return data


def genre_training_languages(config: TrainConfig) -> list[str]:
    """The SemEval-2023 languages whose genre labels train the genre model: ``[genre] languages``
    if set (the genre model may learn from more languages than the other components), else
    ``[data] semeval2023``."""
    return list(config.genre.get("languages", config.semeval2023))
