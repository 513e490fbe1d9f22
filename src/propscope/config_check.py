"""Check a training config's sections when it is read, before any corpus is loaded.

Every component section is checked against the settings class of the model it builds (the
``model`` key picks it for ``[paragraphs]`` and ``[span_classifier]``): an unknown key, or a value
of the wrong type, is one line (E051) that names the section, the key and what is allowed, rather
than a ``TypeError`` after minutes of loading corpora.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from propscope.errors import ConfigError, Errors
from propscope.models.encoder_classifier import EncoderClassifierConfig
from propscope.models.ensemble import EnsembleConfig
from propscope.models.linear_config import LinearConfig
from propscope.models.span_classifier import SpanClassifierConfig, SpanEnsembleConfig
from propscope.models.tagger import TaggerConfig
from propscope.pipeline import PipelineSettings

#: The ``model`` values of the components that have several model families (first: default).
MODEL_KINDS = {
    "paragraphs": ("linear", "encoder", "ensemble"),
    "span_classifier": ("linear", "encoder", "ensemble"),
    "genre": ("linear", "encoder"),
}


def _classes(section: str, kind: str) -> tuple[type, dict[str, str]]:
    """The settings class of ``section`` built as ``kind``, and its sub-sections (key -> kind)."""
    table: dict[tuple[str, str], tuple[type, dict[str, str]]] = {
        ("tagger", ""): (TaggerConfig, {}),
        ("genre", "linear"): (LinearConfig, {}),
        ("genre", "encoder"): (EncoderClassifierConfig, {}),
        ("frames", ""): (LinearConfig, {}),
        ("pipeline", ""): (PipelineSettings, {}),
        ("paragraphs", "linear"): (LinearConfig, {}),
        ("paragraphs", "encoder"): (EncoderClassifierConfig, {}),
        ("paragraphs", "ensemble"): (EnsembleConfig, {"linear": "linear", "encoder": "encoder"}),
        ("span_classifier", "linear"): (SpanClassifierConfig, {}),
        ("span_classifier", "encoder"): (EncoderClassifierConfig, {}),
        ("span_classifier", "ensemble"): (
            SpanEnsembleConfig,
            {"linear": "linear", "encoder": "encoder"},
        ),
    }
    return table[(section, kind)]


#: The components a config may take from another model (``[components] paragraphs = "multi-fast"``):
#: not the tagger, whose calibration must be fitted on articles it did not learn from.
BORROWABLE = ("paragraphs", "genre", "frames")

#: Keys a section takes besides its settings class's fields.
EXTRA_KEYS: dict[str, dict[str, type]] = {"genre": {"languages": list, "excerpt_words": int}}


def _fail(section: str, problem: str, allowed: list[str]) -> ConfigError:
    return ConfigError(
        Errors.E051.format(section=section, problem=problem, allowed=", ".join(sorted(allowed)))
    )


def check_section(name: str, settings: Mapping[str, Any], component: str | None = None) -> None:
    """Check one section (``name`` as written, e.g. ``paragraphs.linear``) of ``component``."""
    from pydantic import TypeAdapter, ValidationError

    component = component or name
    values = dict(settings)
    kinds = MODEL_KINDS.get(component)
    kind = ""
    if kinds and "." not in name:
        kind = str(values.pop("model", kinds[0]))
        if kind not in kinds:
            raise _fail(f"[{name}]", f"model = {kind!r} is not a model family", list(kinds))
    elif "." in name:
        kind = name.rsplit(".", 1)[1]
    cls, subsections = _classes(component, kind)
    extra = EXTRA_KEYS.get(name, {})
    allowed = [f.name for f in fields(cls)] + list(extra) + list(subsections)
    allowed += ["model"] if kinds and "." not in name else []
    for key in values:
        if key not in allowed:
            raise _fail(f"[{name}]", f"unknown key {key!r}", allowed)
    for key, sub_kind in subsections.items():
        if key in values:
            if not isinstance(values[key], Mapping):
                raise _fail(f"[{name}]", f"{key} must be a section [{name}.{key}]", allowed)
            check_section(f"{name}.{sub_kind}", values.pop(key), component)
    for key, kind_of in extra.items():
        if key in values and not isinstance(values.pop(key), kind_of):
            raise _fail(f"[{name}]", f"{key} must be a {kind_of.__name__}", allowed)
    try:
        TypeAdapter(cls).validate_python(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        problem = f"{key} = {first.get('input')!r}: {first['msg']}"
        raise _fail(f"[{name}]", problem, allowed) from exc


def check_config(raw: Mapping[str, Any], components: tuple[str, ...]) -> None:
    """Check every component section and ``[components]`` of a parsed config file."""
    switches = raw.get("components", {})
    if not isinstance(switches, Mapping):
        raise _fail(
            "[components]", "must be a section of name = true, false or a model", list(components)
        )
    for key, value in switches.items():
        if key not in components:
            raise _fail("[components]", f"unknown component {key!r}", list(components))
        if isinstance(value, str) and key not in BORROWABLE:
            # A borrowed tagger would be calibrated on articles it was trained on.
            raise _fail(
                "[components]",
                f"{key} cannot be taken from another model, only {', '.join(BORROWABLE)}",
                list(components),
            )
        if not isinstance(value, bool | str):
            raise _fail(
                "[components]",
                f"{key} = {value!r} is not true, false or the name of a model to take it from",
                list(components),
            )
    if "borrowed" in raw.get("pipeline", {}):
        raise _fail(
            "[pipeline]",
            'borrowed is set by [components] (paragraphs = "multi-fast"), not here',
            [f.name for f in fields(_classes("pipeline", "")[0]) if f.name != "borrowed"],
        )
    for section in (*components, "pipeline"):
        if isinstance(switches.get(section), str) and raw.get(section):
            raise _fail(
                f"[{section}]",
                f"{section} is taken from {switches[section]!r} ([components]), so it has no "
                "settings here; remove the section",
                ["none"],
            )
        if section in raw:
            if not isinstance(raw[section], Mapping):
                raise _fail(f"[{section}]", "must be a section", [])
            check_section(section, raw[section])
