"""The model contract, checked on every registered model family (scikit-learn style).

``__init__`` stores settings only; ``fit`` returns ``self``; learned state ends in ``_``;
prediction before ``fit`` raises ``NotFittedError``; ``save`` then ``load`` predicts the same.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from propscope.errors import NotFittedError
from propscope.models import MODEL_FAMILIES
from propscope.types import Document


def _fit_args(name: str, docs: list[Document]) -> tuple[Any, ...]:
    name = name.split("/")[0]  # "paragraphs/encoder" takes what "paragraphs" takes
    if name in ("tagger", "span_classifier"):
        return (docs,)
    if name == "genre":
        return ([d.text for d in docs], [d.genre.name for d in docs])
    if name == "paragraphs":
        pars = [(d.paragraph_text(p), p.technique_names()) for d in docs for p in d.paragraphs]
        return ([text for text, _ in pars], [names for _, names in pars])
    return ([d.text for d in docs], [[f.name for f in d.frames] for d in docs])


def _predict(name: str, model: Any, docs: list[Document]) -> Any:
    name = name.split("/")[0]
    if name == "tagger":  # every token's probabilities, not only the few decoded spans
        return np.concatenate([model.token_probabilities(d.text)[0] for d in docs])
    if name == "span_classifier":
        return np.stack([model.predict_proba(d.text, [(0, 5), (2, 9)]) for d in docs])
    return model.predict_proba([d.text for d in docs])


TINY_SETTINGS: dict[str, dict[str, Any]] = {
    "tagger": {"epochs": 2, "frozen_layers": 5, "validation_fraction": 0.0},
    "span_classifier": {},
    "span_classifier/encoder": {"epochs": 2, "frozen_layers": 5},
    "span_classifier/ensemble": {"encoder": {"epochs": 2, "frozen_layers": 5}},
    "paragraphs/encoder": {"epochs": 2, "frozen_layers": 5, "validation_fraction": 0.0},
    "paragraphs/ensemble": {
        "linear": {"min_df": 1, "tuning_folds": 2},
        "encoder": {"epochs": 2, "frozen_layers": 5},
    },
    "genre": {"min_df": 1},
    "genre/encoder": {"epochs": 2, "frozen_layers": 5},
    "frames": {"min_df": 1, "tuning_folds": 2},
    "paragraphs": {"min_df": 1, "tuning_folds": 2},
}


@pytest.fixture(params=sorted(MODEL_FAMILIES))
def family(request: pytest.FixtureRequest) -> tuple[str, Callable[..., Any]]:
    return request.param, MODEL_FAMILIES[request.param]


def test_model_init_stores_settings_only(family: tuple[str, Callable[..., Any]]) -> None:
    name, factory = family
    model = factory(**TINY_SETTINGS[name])
    assert not [k for k in vars(model) if k.endswith("_") and not k.startswith("_")]


def test_model_predict_before_fit_raises(
    family: tuple[str, Callable[..., Any]], tiny_docs: list[Document]
) -> None:
    name, factory = family
    with pytest.raises(NotFittedError):
        _predict(name, factory(**TINY_SETTINGS[name]), tiny_docs)


def test_model_fit_returns_self_save_load_same(
    family: tuple[str, Callable[..., Any]], tiny_docs: list[Document], tmp_path: Path
) -> None:
    name, factory = family
    model = factory(**TINY_SETTINGS[name])
    settings = _settings(model)
    assert model.fit(*_fit_args(name, tiny_docs)) is model
    assert _settings(model) == settings, "fit changed the model's settings"
    model.save(tmp_path / name)
    again = type(model).load(tmp_path / name)
    before, after = _predict(name, model, tiny_docs), _predict(name, again, tiny_docs)
    assert np.asarray(before).size >= 12 and np.ptp(np.asarray(before)) > 0.05, "trivial output"
    if name == "tagger" or name.endswith("/encoder"):  # the same weights, merged the same way
        assert np.allclose(after, before, atol=1e-6)
    else:  # weights are stored as float16
        assert np.allclose(after, before, atol=5e-3)


def _settings(model: Any) -> Any:
    """A deep copy of a model's settings: its config, and its members' configs."""
    import copy

    members = getattr(model, "members", None) or []
    return copy.deepcopy(
        [getattr(model, "config", None), *[getattr(m, "config", None) for m in members]]
    )


TEXT_CLASSIFIERS = sorted(
    n for n in MODEL_FAMILIES if n.split("/")[0] not in ("span_classifier", "tagger")
)


@pytest.mark.parametrize("name", TEXT_CLASSIFIERS)
def test_text_classifier_options_are_keyword_only(name: str) -> None:
    """``predict_labels(texts, 0.99)`` once took 0.99 as embeddings: options are keyword-only,
    named alike in every family, and nothing is swallowed by ``**kwargs``."""
    import inspect

    model = MODEL_FAMILIES[name](**TINY_SETTINGS[name])
    for method in ("predict_proba", "predict_labels"):
        params = list(inspect.signature(getattr(model, method)).parameters.values())
        assert params[0].name == "texts"
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[1:]), method
        assert "languages" in {p.name for p in params[1:]}
    labels = inspect.signature(model.predict_labels).parameters
    assert "threshold" in labels


def test_threshold_option_is_honoured(tiny_docs: list[Document]) -> None:
    model = MODEL_FAMILIES["paragraphs"](**TINY_SETTINGS["paragraphs"])
    model.fit(*_fit_args("paragraphs", tiny_docs))
    texts = _fit_args("paragraphs", tiny_docs)[0]
    every = model.predict_labels(texts, threshold=0.0)
    none = model.predict_labels(texts, threshold=1.0)
    assert all(len(labels) == len(model.config.labels) for labels in every)
    assert not any(none)
    with pytest.raises(TypeError):
        model.predict_labels(texts, 0.99)


def test_model_settings_are_frozen(family: tuple[str, Callable[..., Any]]) -> None:
    """Settings are values: a change is a new config (``dataclasses.replace``), never an
    assignment that could reach a model already fitted with them."""
    import dataclasses

    name, factory = family
    model = factory(**TINY_SETTINGS[name])
    for config in [model.config, *[m.config for m in getattr(model, "members", None) or []]]:
        with pytest.raises(dataclasses.FrozenInstanceError):
            config.seed = 1  # type: ignore[misc]
