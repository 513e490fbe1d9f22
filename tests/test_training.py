"""Rebuilding a model while reusing the components whose settings and data did not change."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from propscope.errors import InputNotFoundError
from propscope.training import fit_pipeline
from propscope.training_data import TrainConfig, TrainingData
from propscope.training_reuse import reusable_components


def _config_of(model_dir: Path) -> TrainConfig:
    saved = json.loads((model_dir / "meta.json").read_text())["config"]
    return TrainConfig(**saved)


def test_unchanged_config_reuses_every_trained_component(tiny_model_dir: Path) -> None:
    reused = reusable_components(_config_of(tiny_model_dir), tiny_model_dir)
    saved = json.loads((tiny_model_dir / "meta.json").read_text())["components"]
    assert set(reused.components) == set(saved) and len(saved) >= 4
    assert all(str(tiny_model_dir) in source for source in reused.sources.values())
    assert "tagger_epoch_seconds" in reused.timings


def test_a_changed_section_is_trained_again(tiny_model_dir: Path) -> None:
    config = _config_of(tiny_model_dir)
    config.genre = {**config.genre, "C": 0.5}
    reused = reusable_components(config, tiny_model_dir)
    assert "genre" not in reused.components and "frames" in reused.components


@pytest.mark.parametrize(
    "change", [{"seed": 14}, {"semeval2023": ["en", "fr"]}, {"ptc": ["train"]}]
)
def test_other_data_or_seed_reuses_nothing(tiny_model_dir: Path, change: dict) -> None:
    config = dataclasses.replace(_config_of(tiny_model_dir), **change)
    assert reusable_components(config, tiny_model_dir).components == {}


def test_rebuild_trains_only_what_changed(tiny_model_dir: Path, tiny_docs: list) -> None:
    config = _config_of(tiny_model_dir)
    config.genre = {**config.genre, "C": 0.5}
    reused = reusable_components(config, tiny_model_dir)
    pipeline = fit_pipeline(
        config, TrainingData(tiny_docs, tiny_docs, tiny_docs, tiny_docs, ["tiny"]), reused=reused
    )
    assert pipeline.tagger is reused.components["tagger"]
    assert pipeline.genre is not None and pipeline.genre.config.C == 0.5
    assert set(pipeline.meta["reused"]) == set(reused.components)
    assert pipeline.meta["train_seconds"]["tagger"] == reused.timings["tagger"]


def test_reuse_from_a_folder_without_a_model_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError, match="E005"):
        reusable_components(TrainConfig(), tmp_path)


def test_train_can_reuse_the_folder_it_replaces(
    tiny_model_dir: Path, tiny_docs: list, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    import propscope.training
    from propscope.pipeline import load

    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    before_bytes = (model_dir / "genre" / "weights.npz").read_bytes()
    data = TrainingData(tiny_docs, tiny_docs, tiny_docs, tiny_docs, ["tiny"])
    monkeypatch.setattr(propscope.training, "load_training_data", lambda config, data_dir: data)
    config = _config_of(model_dir)
    config.frames = {**config.frames, "C": 0.5}
    propscope.training.train(config, tmp_path / "no-data", model_dir, reuse=model_dir)
    rebuilt = load(model_dir)
    assert set(rebuilt.meta["reused"]) == {"tagger", "span_classifier", "paragraphs", "genre"}
    assert (model_dir / "genre" / "weights.npz").read_bytes() == before_bytes
    text = tiny_docs[0].text
    before, after = load(tiny_model_dir).analyze(text), rebuilt.analyze(text)
    assert after.spans == before.spans and after.genre == before.genre


def test_a_tagger_with_other_tuning_settings_is_retuned_not_retrained(
    tiny_model_dir: Path, tiny_docs: list, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    import propscope.training
    from propscope.models.tagger import SpanTagger
    from propscope.pipeline import load

    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    docs = [dataclasses.replace(d, id=f"{d.id}-{k}") for k in range(4) for d in tiny_docs]
    data = TrainingData(docs, tiny_docs, tiny_docs, tiny_docs, ["tiny"])
    tuned: list[int] = []
    retune = SpanTagger.retune
    monkeypatch.setattr(
        SpanTagger, "retune", lambda self, d: tuned.append(len(d)) or retune(self, d)
    )
    monkeypatch.setattr(propscope.training, "load_training_data", lambda config, data_dir: data)
    monkeypatch.setattr(SpanTagger, "fit", lambda *a, **k: pytest.fail("the tagger was retrained"))
    config = _config_of(model_dir)
    config.tagger = {**config.tagger, "threshold_metric": "spans", "hysteresis_grid": [1.0, 0.6]}
    adapters = (model_dir / "tagger" / "adapters.safetensors").read_bytes()
    propscope.training.train(config, tmp_path / "no-data", model_dir, reuse=model_dir)
    rebuilt = load(model_dir)
    assert tuned == [len(docs)]
    assert "tuned again" in rebuilt.meta["reused"]["tagger"]
    assert "tuned again" not in rebuilt.meta["reused"]["genre"]
    assert rebuilt.tagger.config.hysteresis_grid == [1.0, 0.6]
    assert (model_dir / "tagger" / "adapters.safetensors").read_bytes() == adapters


def test_train_with_reuse_fits_the_span_calibration_without_retraining(
    tiny_model_dir: Path, tiny_docs: list, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    import propscope.training
    from propscope.models.tagger import SpanTagger
    from propscope.pipeline import load

    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    assert not (model_dir / "calibration.json").exists()
    docs = [dataclasses.replace(d, id=f"{d.id}-{k}") for k in range(2) for d in tiny_docs]
    data = TrainingData(docs, docs, tiny_docs, tiny_docs, ["tiny"])
    monkeypatch.setattr(propscope.training, "load_training_data", lambda config, data_dir: data)
    monkeypatch.setattr(SpanTagger, "fit", lambda *a, **k: pytest.fail("the tagger was retrained"))
    # The tiny tagger held nothing out; pretend it held out the first half.
    half = len(docs) // 2
    monkeypatch.setattr(
        SpanTagger, "_split", lambda self, d: (list(d)[:half], list(d)[half:], None)
    )
    propscope.training.train(
        _config_of(model_dir), tmp_path / "no-data", model_dir, reuse=model_dir
    )
    rebuilt = load(model_dir)
    assert (model_dir / "calibration.json").exists()
    assert rebuilt.calibration is not None and rebuilt.calibration.info["articles"] == half
    assert all(s.score >= 0.5 for s in rebuilt.analyze(tiny_docs[0].text).spans)


def test_a_component_named_by_model_is_borrowed_not_trained(
    tiny_model_dir: Path, tiny_docs: list, tmp_path: Path
) -> None:
    """``[components] paragraphs = "<model>"``: the model refers to that model's paragraph
    classifier, saves no copy, and loads it from there (the English models read multi-fast's)."""
    from propscope.pipeline import load

    body = (
        'name = "composite"\n[components]\ntagger = false\ngenre = true\n'
        f'paragraphs = "{tiny_model_dir}"\nframes = "{tiny_model_dir}"\n[genre]\nmin_df = 1\n'
    )
    (tmp_path / "c.toml").write_text(body, encoding="utf-8")
    config = TrainConfig.from_toml(tmp_path / "c.toml")
    assert config.borrowed == {"paragraphs": str(tiny_model_dir), "frames": str(tiny_model_dir)}
    assert config.components["paragraphs"] is False and config.components["genre"] is True
    pipeline = fit_pipeline(config, TrainingData([], tiny_docs, tiny_docs, tiny_docs, ["tiny"]))
    saved = pipeline.save(tmp_path / "composite")
    assert not (saved / "paragraphs").exists() and not (saved / "frames").exists()
    composite, source = load(saved), load(tiny_model_dir)
    assert composite.components() == ["paragraphs", "genre", "frames"]
    text = tiny_docs[0].text
    assert composite.analyze(text, lang="en").frames == source.analyze(text, lang="en").frames
    paragraphs = [tiny_docs[0].paragraph_text(p) for p in tiny_docs[0].paragraphs]
    assert composite.paragraphs is not None and source.paragraphs is not None
    assert composite.paragraphs.predict_labels(paragraphs) == source.paragraphs.predict_labels(
        paragraphs
    )


def test_a_missing_borrowed_model_is_a_load_error_naming_it(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    import shutil

    from propscope.errors import ModelLoadError
    from propscope.pipeline import Pipeline

    source, composite = tmp_path / "source", tmp_path / "composite"
    shutil.copytree(tiny_model_dir, source)
    pipeline = Pipeline.load(source)
    pipeline.settings.borrowed = {"frames": "source"}  # relative: beside the composite
    pipeline.save(composite)
    assert Pipeline.load(composite).frames is not None
    shutil.rmtree(source)
    with pytest.raises(ModelLoadError, match="takes its frames from the model 'source'"):
        Pipeline.load(composite)


def test_borrowing_follows_a_source_that_borrows_and_survives_a_save_elsewhere(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    """C borrows frames from B, which borrows them from A: C loads A's. Saved to another folder,
    a relative reference is kept as an absolute one, so the copy still loads."""
    import shutil

    from propscope.pipeline import Pipeline

    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    shutil.copytree(tiny_model_dir, a)
    for folder, source in ((b, "a"), (c, "b")):
        pipeline = Pipeline.load(a)
        pipeline.settings.borrowed = {"frames": source}
        pipeline.save(folder)
    loaded = Pipeline.load(c)
    assert loaded.frames is Pipeline.load(b).frames  # one copy per process
    assert loaded.settings.borrowed == {"frames": str(b.resolve())}
    loaded.save(tmp_path / "elsewhere" / "c2")
    assert Pipeline.load(tmp_path / "elsewhere" / "c2").frames is loaded.frames


def test_a_bundled_model_whose_borrowed_source_is_missing_is_not_installed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from propscope import bundled

    folder = tmp_path / "en-fast"
    folder.mkdir()
    (folder / "meta.json").write_text("{}")
    (folder / "pipeline.json").write_text('{"borrowed": {"frames": "multi-fast"}}')
    paths = {"en-fast": folder, "multi-fast": tmp_path / "multi-fast"}
    monkeypatch.setattr(bundled, "bundled_model_path", lambda name="en-fast": paths[name])
    assert not bundled._installed("en-fast")
    (tmp_path / "multi-fast" / "frames").mkdir(parents=True)
    assert bundled._installed("en-fast")


def test_genre_excerpt_words_learns_each_article_twice(tiny_docs: list) -> None:
    # [genre] excerpt_words = N: each article's first N words are learned as an article too.
    from propscope.evaluation.protocol import excerpt
    from propscope.models.linear import LinearTextClassifier
    from propscope.training import fit_genre

    seen: list[list[str]] = []
    fit = LinearTextClassifier.fit

    def spy(self, texts, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(list(texts))
        return fit(self, texts, *args, **kwargs)

    labelled = [d for d in tiny_docs if d.genre is not None]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LinearTextClassifier, "fit", spy)
        fit_genre(TrainConfig(genre={"min_df": 1}), tiny_docs)
        fit_genre(TrainConfig(genre={"min_df": 1, "excerpt_words": 5}), tiny_docs)
    assert seen[0] == [d.text for d in labelled]
    assert seen[1] == seen[0] + [excerpt(d.text, 5) for d in labelled]


@pytest.mark.slow
def test_a_run_that_fails_after_training_resumes_without_training_again(
    tiny_model_dir: Path, tiny_docs: list, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import propscope.training
    from propscope.models import finetune

    data = TrainingData(tiny_docs, tiny_docs, tiny_docs, tiny_docs, ["tiny"])
    monkeypatch.setattr(propscope.training, "load_training_data", lambda config, data_dir: data)
    config = _config_of(tiny_model_dir)
    config.tagger = {**config.tagger, "epochs": 2}
    out = tmp_path / "model"
    checkpoints = tmp_path / ".model.checkpoints"

    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(propscope.training, "fit_span_calibration", fail)
    with pytest.raises(OSError, match="disk full"):
        propscope.training.train(config, tmp_path / "no-data", out)
    assert (checkpoints / "tagger-checkpoint.pt").exists() and not out.exists()

    epochs_run: list[int] = []
    train_adapters = finetune.train_adapters

    def counted(*args: object, **kwargs: object) -> finetune.TrainLog:
        log = train_adapters(*args, **kwargs)  # type: ignore[arg-type]
        epochs_run.append(len(log.epoch_seconds))
        return log

    monkeypatch.setattr(propscope.training, "fit_span_calibration", lambda *a: None)
    monkeypatch.setattr("propscope.models.tagger.train_adapters", counted)
    propscope.training.train(config, tmp_path / "no-data", out)
    assert epochs_run == [0]  # the tagger's two epochs were not run again
    assert (out / "tagger").exists() and not checkpoints.exists()


def test_an_encoder_genre_model_learns_trains_genre_mix_and_keeps_it(
    tiny_docs: list, tmp_path: Path
) -> None:
    # [genre] model = "encoder": a single-label fine-tuned encoder, whose probabilities carry
    # train's genre distribution; the pipeline moves them from it to the deployment prior.
    from collections import Counter

    import numpy as np

    from propscope.models.encoder_classifier import EncoderClassifier
    from propscope.training import fit_genre

    settings = {"model": "encoder", "frozen_layers": 4, "epochs": 1, "max_length": 64}
    model = fit_genre(TrainConfig(genre=settings), tiny_docs)
    assert isinstance(model, EncoderClassifier) and not model.config.multi_label
    counts = Counter(d.genre.name for d in tiny_docs if d.genre is not None)
    total = sum(counts.values())
    prior = model.training_prior()
    assert prior is not None and set(prior) == set(model.config.labels)
    assert all(abs(prior[g] - max(counts[g] / total, 1e-4)) < 1e-6 for g in prior)
    texts = [d.text for d in tiny_docs[:3]]
    proba = model.predict_proba(texts)
    assert proba.shape == (3, 3) and np.allclose(proba.sum(1), 1.0, atol=1e-5)
    model.save(tmp_path / "genre")
    loaded = EncoderClassifier.load(tmp_path / "genre")
    assert loaded.training_prior() == prior
    assert np.allclose(loaded.predict_proba(texts), proba, atol=1e-4)
