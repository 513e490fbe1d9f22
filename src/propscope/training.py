"""Training: a TOML config and the shared corpora in, a saved pipeline out.

The config and the corpora are read by :mod:`propscope.training_data`; components of an earlier
build are reused by :mod:`propscope.training_reuse`.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from propscope._version import __version__
from propscope.bundled import borrowed_component_path, model_source
from propscope.config_check import MODEL_KINDS
from propscope.errors import ConfigError, Errors, TrainingError
from propscope.evaluation.protocol import excerpt
from propscope.language import SEMEVAL_CODES
from propscope.models import MODEL_FAMILIES, load_component
from propscope.models.base import paragraph_rows
from propscope.models.calibration import fit_calibration
from propscope.models.embeddings import embedding_cache
from propscope.models.linear import LinearTextClassifier
from propscope.models.linear_config import LinearConfig
from propscope.models.tagger import SpanTagger, TaggerConfig
from propscope.pipeline import Pipeline, PipelineSettings
from propscope.taxonomy import FRAMES, GENRES, TECHNIQUE_NAMES
from propscope.training_data import TrainConfig, TrainingData, load_training_data

# Still importable from here, where benchmarks/cv_genre.py imports it.
from propscope.training_data import genre_training_languages as genre_training_languages
from propscope.training_reuse import Reused, reusable_components
from propscope.types import Document

ProgressCallback = Callable[[str, int, int], None]


def fit_genre(config: TrainConfig, docs: Sequence[Document]) -> Any:
    """The genre classifier of ``config`` fitted on ``docs`` (their text, language and genre).

    With ``[genre] excerpt_words = N``, each article's first N words are learned as an article of
    their own too (:func:`propscope.evaluation.protocol.excerpt`), so that a short text is not
    taken for satire because train's satire is short."""
    settings = {k: v for k, v in config.genre.items() if k not in ("languages", "excerpt_words")}
    labelled = [d for d in docs if d.genre is not None]
    texts = [d.text for d in labelled]
    words = int(config.genre.get("excerpt_words", 0))
    if words:
        texts += [excerpt(d.text, words) for d in labelled]
        labelled += labelled
    if _model_kind("genre", settings) == "encoder":  # a fine-tuned encoder (single-label)
        model = MODEL_FAMILIES["genre/encoder"](**{"seed": config.seed, **settings})
        return model.fit(texts, [d.genre.name for d in labelled if d.genre is not None])
    cfg = LinearConfig(
        **{"labels": list(GENRES), "multi_label": False, "seed": config.seed, **settings}
    )
    return LinearTextClassifier(cfg).fit(
        texts,
        [d.genre.name for d in labelled if d.genre is not None],
        languages=[d.language for d in labelled],
    )


def load_borrowed(borrowed: dict[str, str]) -> dict[str, Any]:
    """The components named in ``[components]`` as ``name = "model"``, loaded from those models
    (:func:`propscope.bundled.borrowed_component_path` says where each is looked for)."""
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
