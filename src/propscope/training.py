"""Training: a TOML config and the shared corpora in, a saved pipeline out.

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

import json
import platform
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from propscope.bundled import model_source
from propscope.config_check import MODEL_KINDS, check_config
from propscope.errors import ConfigError, Errors, InputNotFoundError, TrainingError
from propscope.models.base import paragraph_rows
from propscope.pipeline import Pipeline, PipelineSettings
from propscope.taxonomy import FRAMES, GENRES, TECHNIQUE_NAMES
from propscope.types import Document

ProgressCallback = Callable[[str, int, int], None]
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
    from propscope.corpora.ptc import read_ptc
    from propscope.corpora.semeval2023 import load_split

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


def fit_genre(config: TrainConfig, docs: Sequence[Document]) -> Any:
    """The genre classifier of ``config`` fitted on ``docs`` (their text, language and genre)."""
    from propscope.models.linear import LinearTextClassifier
    from propscope.models.linear_config import LinearConfig

    settings = {k: v for k, v in config.genre.items() if k != "languages"}
    cfg = LinearConfig(
        **{"labels": list(GENRES), "multi_label": False, "seed": config.seed, **settings}
    )
    return LinearTextClassifier(cfg).fit(
        [d.text for d in docs],
        [d.genre.name for d in docs if d.genre is not None],
        languages=[d.language for d in docs],
    )


def load_borrowed(borrowed: dict[str, str]) -> dict[str, Any]:
    """The components named in ``[components]`` as ``name = "model"``, loaded from those models
    (:func:`propscope.bundled.borrowed_component_path` says where each is looked for)."""
    from propscope.bundled import borrowed_component_path
    from propscope.models import load_component

    return {
        name: load_component(name, borrowed_component_path(name, source, Path.cwd()))
        for name, source in borrowed.items()
    }


def _model_kind(component: str, settings: dict[str, Any]) -> str:
    """Pop ``model`` from a component's settings (see :data:`MODEL_KINDS`)."""
    kinds = MODEL_KINDS[component]
    kind = str(settings.pop("model", kinds[0]))
    if kind not in kinds:
        raise ConfigError(
            Errors.E050.format(
                name=f"[{component}] model", value=kind, reason=f"expected one of {kinds}"
            )
        )
    return kind


def fit_pipeline(
    config: TrainConfig,
    data: TrainingData,
    *,
    checkpoint_dir: Path | None = None,
    progress: ProgressCallback | None = None,
    reused: Reused | None = None,
) -> Pipeline:
    """Fit every enabled component of ``config`` on ``data`` and return the pipeline.

    Components in ``reused`` (see :func:`reusable_components`) are taken as they are.
    """
    from propscope.models.embeddings import embedding_cache

    # The paragraph, genre and frame models may embed the same paragraphs: embed each once.
    with embedding_cache():
        return _fit_pipeline(
            config, data, checkpoint_dir=checkpoint_dir, progress=progress, reused=reused
        )


def _fit_pipeline(
    config: TrainConfig,
    data: TrainingData,
    *,
    checkpoint_dir: Path | None,
    progress: ProgressCallback | None,
    reused: Reused | None = None,
) -> Pipeline:
    from propscope.models import MODEL_FAMILIES
    from propscope.models.linear import LinearTextClassifier
    from propscope.models.linear_config import LinearConfig
    from propscope.models.tagger import SpanTagger, TaggerConfig

    def say(stage: str, done: int = 0) -> None:
        if progress:
            progress(stage, done, 1)

    reused = reused or Reused()
    parts: dict[str, Any] = dict(reused.components)
    parts.update(load_borrowed(config.borrowed))
    timings: dict[str, Any] = dict(reused.timings)
    enabled = {c: on and c not in parts for c, on in config.components.items()}
    if enabled.get("genre"):
        if not data.genre_docs:
            raise TrainingError(Errors.E043.format(reason="no documents with a genre label"))
        say("genre classifier")
        began = time.perf_counter()
        parts["genre"] = fit_genre(config, data.genre_docs)
        timings["genre"] = time.perf_counter() - began
        say("genre classifier", 1)
    if enabled.get("frames"):
        if not data.frame_docs:
            raise TrainingError(Errors.E043.format(reason="no documents with frame labels"))
        say("frame classifier")
        began = time.perf_counter()
        cfg = LinearConfig(
            **{"labels": list(FRAMES), "thresholds": "global", "seed": config.seed, **config.frames}
        )
        parts["frames"] = LinearTextClassifier(cfg).fit(
            [d.text for d in data.frame_docs],
            [[f.name for f in d.frames] for d in data.frame_docs],
            languages=[d.language for d in data.frame_docs],
        )
        timings["frames"] = time.perf_counter() - began
        say("frame classifier", 1)
    if enabled.get("paragraphs"):
        texts, targets, languages = paragraph_rows(data.paragraph_docs)
        if not texts:
            raise TrainingError(Errors.E043.format(reason="no paragraphs with technique labels"))
        say("paragraph classifier")
        began = time.perf_counter()
        settings = dict(config.paragraphs)
        kind = _model_kind("paragraphs", settings)
        if kind != "linear":
            groups = [d.id for d in data.paragraph_docs for _ in d.paragraphs]
            model = MODEL_FAMILIES[f"paragraphs/{kind}"](**{"seed": config.seed, **settings})
            parts["paragraphs"] = model.fit(
                texts,
                targets,
                groups=groups,
                languages=languages,
                checkpoint_dir=checkpoint_dir,
                progress=progress,
            )
            encoder = model if kind == "encoder" else model.members[-1]
            timings["paragraphs_epoch_seconds"] = encoder.epoch_seconds_
        else:
            cfg = LinearConfig(**{"labels": list(TECHNIQUE_NAMES), "seed": config.seed, **settings})
            parts["paragraphs"] = LinearTextClassifier(cfg).fit(texts, targets, languages=languages)
        timings["paragraphs"] = time.perf_counter() - began
        say("paragraph classifier", 1)
    if enabled.get("span_classifier"):
        from propscope.models.span_classifier import SpanClassifier, SpanClassifierConfig

        say("span classifier")
        began = time.perf_counter()
        settings = dict(config.span_classifier)
        kind = _model_kind("span_classifier", settings)
        if kind != "linear":
            model = MODEL_FAMILIES[f"span_classifier/{kind}"](**{"seed": config.seed, **settings})
            parts["span_classifier"] = model.fit(
                data.span_docs, checkpoint_dir=checkpoint_dir, progress=progress
            )
            encoder = model if kind == "encoder" else model.members[-1]
            timings["span_classifier_epoch_seconds"] = encoder.model_.epoch_seconds_
        else:
            span_cfg = SpanClassifierConfig(**{"seed": config.seed, **settings})
            parts["span_classifier"] = SpanClassifier(span_cfg).fit(data.span_docs)
        timings["span_classifier"] = time.perf_counter() - began
        say("span classifier", 1)
    if enabled.get("tagger"):
        began = time.perf_counter()
        tagger_cfg = TaggerConfig(**{"seed": config.seed, **config.tagger})
        parts["tagger"] = SpanTagger(tagger_cfg).fit(
            data.span_docs, checkpoint_dir=checkpoint_dir, progress=progress
        )
        timings["tagger"] = time.perf_counter() - began
        timings["tagger_epoch_seconds"] = parts["tagger"].epoch_seconds_
    if not parts:
        raise TrainingError(Errors.E043.format(reason="the config enables no component"))
    from propscope.language import SEMEVAL_CODES

    # The languages the model saw; any other is analysed zero-shot and flagged as such.
    trained = list(dict.fromkeys(SEMEVAL_CODES[lang] for lang in config.semeval2023))
    if config.ptc and "en" not in trained:
        trained.insert(0, "en")
    settings = PipelineSettings(
        **{
            "language": config.language,
            "languages": trained,
            "borrowed": {c: model_source(m, Path.cwd()) for c, m in config.borrowed.items()},
            **config.pipeline,
        }
    )
    if "tagger" not in parts and settings.paragraph_source != "classifier":  # nothing to combine
        settings.paragraph_source = "classifier"
    if "paragraphs" not in parts and settings.paragraph_source != "spans":
        settings.paragraph_source = "spans"
    from propscope._version import __version__

    meta = {
        "name": config.name,
        "version": __version__,
        "propscope_version": __version__,
        "taxonomy": "semeval2023",
        "language": config.language,
        "techniques": list(TECHNIQUE_NAMES),
        "frames": list(FRAMES),
        "genres": list(GENRES),
        "training_data": data.sources,
        "training_counts": {
            "span_docs": len(data.span_docs),
            "paragraph_docs": len(data.paragraph_docs),
            "genre_docs": len(data.genre_docs),
            "frame_docs": len(data.frame_docs),
        },
        "seed": config.seed,
        "config": config.__dict__,
        "train_seconds": {k: v for k, v in timings.items()},
        **({"reused": reused.sources} if reused.sources else {}),
        "trained_on": f"{platform.machine()}, {platform.python_version()}",
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return Pipeline(settings=settings, meta=meta, **parts)


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
    from propscope.models import load_component

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
            from propscope.models.tagger import TaggerConfig

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


def train(
    config: TrainConfig,
    data_dir: Path,
    out_dir: Path,
    *,
    progress: ProgressCallback | None = None,
    reuse: Path | None = None,
) -> Path:
    """Train the pipeline of ``config`` on the corpora in ``data_dir`` and save it to ``out_dir``.

    Checkpoints go to a hidden sibling folder, ``.<out_dir name>.checkpoints``, so that a stopped
    run resumes where it stopped.
    The model is written to a temporary sibling folder and renamed into place at the end, so an
    interrupted run never leaves a half-written model. With ``reuse`` (an earlier build, which
    may be ``out_dir`` itself), components whose settings and data are unchanged are copied from
    it instead of trained again (:func:`reusable_components`); meta.json names them.

    Example:
        >>> from propscope.training import TrainConfig, train
        >>> train(TrainConfig.from_toml(Path("configs/en-fast.toml")),
        ...       Path("../shared/data"), Path("models/en-fast"))  # doctest: +SKIP
    """
    import shutil

    data = load_training_data(config, data_dir)
    reused = reusable_components(config, reuse, data) if reuse is not None else None
    checkpoints = out_dir.parent / f".{out_dir.name}.checkpoints"
    pipeline = fit_pipeline(
        config, data, checkpoint_dir=checkpoints, progress=progress, reused=reused
    )
    pipeline.calibration = fit_span_calibration(pipeline, data, progress)
    staging = out_dir.parent / f".{out_dir.name}.partial"
    if staging.exists():
        shutil.rmtree(staging)
    pipeline.save(staging)
    if reuse is not None and reused is not None:
        for name in set(reused.components) - reused.retuned:
            # The earlier build's files, byte for byte (a re-save could differ in zip metadata).
            shutil.rmtree(staging / name)
            shutil.copytree(reuse / name, staging / name)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    staging.replace(out_dir)
    shutil.rmtree(checkpoints, ignore_errors=True)
    return out_dir


def fit_span_calibration(
    pipeline: Pipeline, data: TrainingData, progress: ProgressCallback | None = None
) -> Any:
    """The span calibration of a fitted pipeline (models/calibration.py), fitted on the articles
    its tagger's training held out; None without a tagger. Retrains nothing, so a ``--reuse``
    build computes it too."""
    if pipeline.tagger is None:
        return None
    from propscope.models.calibration import fit_calibration

    return fit_calibration(
        pipeline.tagger, pipeline.paragraphs, data.span_docs, data.paragraph_docs, progress
    )


def default_folds(ids: Sequence[str], n_folds: int = 5, seed: int = 0) -> list[set[str]]:
    """Split article ids into ``n_folds`` test folds (KFold over sorted ids, shuffled by seed)."""
    from sklearn.model_selection import KFold

    unique = sorted(set(ids))
    if len(unique) < n_folds:
        raise TrainingError(
            Errors.E043.format(reason=f"{len(unique)} articles cannot make {n_folds} folds")
        )
    splitter = KFold(n_splits=n_folds, shuffle=True, random_state=seed)
    return [{unique[i] for i in test} for _, test in splitter.split(unique)]
