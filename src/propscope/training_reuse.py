"""Reusing an earlier build: which of its components a config would train the same way (taken as
they are), and which tagger only needs its thresholds tuned again (``propscope train --reuse``)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from propscope.errors import Errors, InputNotFoundError
from propscope.models import load_component
from propscope.models.tagger import TaggerConfig
from propscope.training_data import COMPONENTS, TrainConfig, TrainingData


@dataclass
class Reused:
    """Components taken from an earlier build instead of being trained again."""

    components: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, Any] = field(default_factory=dict)  # their training times, as measured then
    sources: dict[str, str] = field(default_factory=dict)  # component -> "folder (created ...)"
    # Components whose weights were reused but whose thresholds were tuned again (saved anew).
    retuned: set[str] = field(default_factory=set)


# Tagger settings that only change how its thresholds are tuned after training: a tagger that
# differs from the wanted one in these alone is reused and re-tuned (SpanTagger.retune).
TAGGER_TUNING_SETTINGS = ("threshold_metric", "hysteresis_grid", "rare_label_thresholds")


def _only_tuning_differs(before: dict[str, Any], now: dict[str, Any]) -> bool:
    """Whether the tagger settings of two configs (JSON form) differ in tuning settings alone."""

    def training(settings: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in settings.items() if k not in TAGGER_TUNING_SETTINGS}

    return training(before.get("tagger", {})) == training(now.get("tagger", {}))


def reusable_components(
    config: TrainConfig, previous: Path, data: TrainingData | None = None
) -> Reused:
    """The components of the model in ``previous`` that ``config`` would train the same way.

    A component is reused when ``previous`` has it and was built with the same seed, the same
    training data and the same settings for it (its config section; ``pipeline`` settings are
    not training settings). A tagger whose settings differ only in how thresholds are tuned
    (``TAGGER_TUNING_SETTINGS``) is reused and its thresholds tuned again on the articles its
    training held out, given the training ``data``. Changes to propscope's own training code
    since that build are not detected: rebuild without reuse after such a change.
    """
    meta_path = previous / "meta.json"
    if not meta_path.exists():
        raise InputNotFoundError(Errors.E005.format(path=meta_path))
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    before = meta.get("config", {})
    # Compare through JSON, the form the earlier config was stored in.
    now = json.loads(json.dumps(config.__dict__))
    same_data = all(before.get(k) == now[k] for k in ("semeval2023", "ptc", "seed"))
    out = Reused()
    for name in COMPONENTS:
        wanted = now["components"].get(name)
        trained = before.get("components", {}).get(name)
        same = before.get(name) == now[name]
        retune = not same and name == "tagger" and data is not None
        retune = retune and _only_tuning_differs(before, now)
        if not (same_data and wanted and trained and (same or retune)):
            continue
        if not (previous / name).is_dir():
            continue
        out.components[name] = load_component(name, previous / name)
        if retune:
            tagger = out.components[name]
            defaults = asdict(TaggerConfig())
            keys = (*TAGGER_TUNING_SETTINGS, "decode_hysteresis")
            # The reused tagger gets the wanted settings as a new config (none is changed).
            tagger.config = replace(
                tagger.config, **{key: now[name].get(key, defaults[key]) for key in keys}
            )
            tagger.retune(data.span_docs)  # type: ignore[union-attr]
            out.retuned.add(name)
        out.timings.update(
            {k: v for k, v in meta.get("train_seconds", {}).items() if k.startswith(name)}
        )
        out.sources[name] = f"{previous} (created {meta.get('created', '?')})" + (
            ", thresholds tuned again" if name in out.retuned else ""
        )
    return out
