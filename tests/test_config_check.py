"""Training configs are checked when read: one E051 line naming the section, the key and the
allowed keys, before any corpus is loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from propscope.errors import ConfigError
from propscope.training_data import TrainConfig
from propscope.types import Document


def _read(tmp_path: Path, body: str) -> TrainConfig:
    path = tmp_path / "config.toml"
    path.write_text('name = "t"\n' + body, encoding="utf-8")
    return TrainConfig.from_toml(path)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[genre]\nmin_dff = 1\n", r"\[E051\] Training config \[genre\]: unknown key 'min_dff'"),
        ('[tagger]\nepochs = "two"\n', r"\[tagger\]: epochs = 'two'"),
        ('[paragraphs]\nmodel = "forest"\n', r"model = 'forest' is not a model family"),
        (
            '[paragraphs]\nmodel = "ensemble"\n[paragraphs.encoder]\nfrozen_layer = 8\n',
            r"\[paragraphs.encoder\]: unknown key 'frozen_layer'",
        ),
        ("[components]\ntaggr = true\n", r"unknown component 'taggr'"),
        ("[pipeline]\nparagraph_source = 3\n", r"\[pipeline\]: paragraph_source = 3"),
    ],
)
def test_config_errors_name_the_key_and_the_allowed_ones(
    tmp_path: Path, body: str, expected: str
) -> None:
    with pytest.raises(ConfigError, match=expected) as caught:
        _read(tmp_path, body)
    assert caught.value.code == "E051"
    assert "Allowed keys:" in str(caught.value)


def test_every_shipped_config_passes(repo: Path) -> None:
    paths = sorted((repo / "configs").rglob("*.toml"))
    assert paths
    for path in paths:
        TrainConfig.from_toml(path)


def test_the_seed_reaches_the_linear_models(tmp_path: Path, tiny_docs: list[Document]) -> None:
    from propscope.training import fit_pipeline
    from propscope.training_data import TrainingData

    config = _read(
        tmp_path,
        "seed = 7\n[components]\ngenre = true\nframes = true\nparagraphs = true\n"
        "tagger = false\n[genre]\nmin_df = 1\n[frames]\nmin_df = 1\ntuning_folds = 2\n"
        "[paragraphs]\nmin_df = 1\ntuning_folds = 2\n",
    )
    pipeline = fit_pipeline(config, TrainingData([], tiny_docs, tiny_docs, tiny_docs))
    assert {pipeline.genre.config.seed, pipeline.frames.config.seed} == {7}
    assert pipeline.paragraphs.config.seed == 7


def test_a_borrowed_component_takes_no_settings(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[frames\]: frames is taken from 'multi-fast'"):
        _read(tmp_path, '[components]\nframes = "multi-fast"\n[frames]\nmin_df = 1\n')
    with pytest.raises(ConfigError, match=r"tagger = 3 is not true, false or the name"):
        _read(tmp_path, "[components]\ntagger = 3\n")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('[components]\ntagger = "multi-fast"\n', r"tagger cannot be taken from another model"),
        ('[pipeline]\nborrowed = {frames = "x"}\n', r"\[pipeline\]: borrowed is set by"),
    ],
)
def test_only_classifiers_are_borrowed_and_only_through_components(
    tmp_path: Path, body: str, expected: str
) -> None:
    with pytest.raises(ConfigError, match=expected):
        _read(tmp_path, body)


def test_a_top_level_borrowed_key_is_unknown(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown keys"):
        _read(tmp_path, 'borrowed = {frames = "multi-fast"}\n')


def test_a_genre_model_is_linear_or_an_encoder(tmp_path: Path) -> None:
    config = _read(tmp_path, '[genre]\nmodel = "encoder"\nfrozen_layers = 8\n')
    assert config.genre["model"] == "encoder" and config.genre["frozen_layers"] == 8
    with pytest.raises(ConfigError, match=r"\[genre\]: unknown key 'char_ngrams'"):
        _read(tmp_path, '[genre]\nmodel = "encoder"\nchar_ngrams = true\n')
    with pytest.raises(ConfigError, match=r"model = 'forest' is not a model family"):
        _read(tmp_path, '[genre]\nmodel = "forest"\n')
