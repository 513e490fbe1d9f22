"""ONNX graphs of the encoders: the runtime choice, the cache keys, and outputs equal to torch's
without importing torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from invented_texts import ARTICLE
from propscope.errors import ConfigError, ModelLoadError
from propscope.models import onnx
from propscope.models.encoders.bert import pad_ids, pad_rows

# Analyse ARTICLE in a fresh process and print whether torch was imported, and the result.
ANALYSE = """
import json, sys
import propscope
from propscope.results import result_dict
pipeline = propscope.load(sys.argv[1])
document = pipeline.analyze(sys.argv[2], lang="en", min_confidence=0)
print(json.dumps({"torch": "torch" in sys.modules, "result": result_dict(document, pipeline)}))
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty user cache, and the runtime left as the test found it."""
    monkeypatch.setenv("PROPSCOPE_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv(onnx.RUNTIME_ENV, raising=False)
    monkeypatch.setattr(onnx, "_default", "torch")
    return tmp_path / "cache"


def test_the_environment_overrides_the_callers_choice(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert onnx.chosen_runtime() == "torch"  # the library's default
    onnx.use_runtime("auto")
    assert onnx.chosen_runtime() == "auto"
    monkeypatch.setenv(onnx.RUNTIME_ENV, "Torch")
    assert onnx.chosen_runtime() == "torch"


@pytest.mark.parametrize("set_by", ["environment", "caller"])
def test_an_unknown_runtime_is_refused(
    cache: Path, set_by: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError, match=r"E065.*torch or onnx or auto"):
        if set_by == "environment":
            monkeypatch.setenv(onnx.RUNTIME_ENV, "tensorrt")
            onnx.chosen_runtime()
        else:
            onnx.use_runtime("tensorrt")


def _component(tmp_path: Path) -> tuple[list[Path], Path]:
    folder, encoder = tmp_path / "tagger", tmp_path / "encoder"
    folder.mkdir()
    encoder.mkdir()
    (folder / "config.json").write_text('{"encoder": "x"}')
    (folder / "adapters.safetensors").write_bytes(b"weights")
    (encoder / "config.json").write_text('{"hidden_size": 4}')
    (encoder / "model.safetensors").write_bytes(b"base")
    return [folder / "config.json", folder / "adapters.safetensors"], encoder


def test_a_graph_is_keyed_by_every_file_it_depends_on(cache: Path, tmp_path: Path) -> None:
    files, encoder = _component(tmp_path)
    first = onnx.graph_folder("tagger", files, encoder)
    assert first.parent == cache / "onnx" and first.name.startswith("tagger-")
    assert onnx.graph_folder("tagger", files, encoder) == first
    assert onnx.graph_folder("classifier", files, encoder) != first
    files[1].write_bytes(b"retrained")
    retrained = onnx.graph_folder("tagger", files, encoder)
    assert retrained != first
    (encoder / "model.safetensors").write_bytes(b"another base")  # an upgraded encoder
    onnx.encoder_identity.cache_clear()  # read once per process
    assert onnx.graph_folder("tagger", files, encoder) != retrained


def test_without_a_graph_auto_runs_torch_and_onnx_says_what_to_do(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files, encoder = _component(tmp_path)
    assert onnx.find_runner("tagger", files, encoder) is None  # torch: never looks
    onnx.use_runtime("auto")
    assert onnx.find_runner("tagger", files, encoder) is None
    monkeypatch.setenv(onnx.RUNTIME_ENV, "onnx")
    with pytest.raises(ModelLoadError, match=r"E101.*no graph prepared.*propscope prepare"):
        onnx.find_runner("tagger", files, encoder)


def test_rows_are_padded_as_torch_pads_them() -> None:
    rows = [[5, 6, 7], [8], [9, 10]]
    ids, mask = pad_rows(rows, 101, 102)
    torch_ids, torch_mask = pad_ids(rows, 101, 102)
    assert ids.dtype == np.int64 and mask.dtype == np.int64
    assert (ids == torch_ids.numpy()).all() and (mask == torch_mask.numpy()).all()


def _analyse(model: str, cache: Path, runtime: str) -> dict[str, object]:
    env = {**os.environ, "PROPSCOPE_CACHE": str(cache), onnx.RUNTIME_ENV: runtime}
    env["PROPSCOPE_DTYPE"] = "fp32"
    done = subprocess.run(
        [sys.executable, "-c", ANALYSE, model, ARTICLE],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    out: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def _scores(result: dict[str, object]) -> dict[tuple[object, ...], float]:
    out: dict[tuple[object, ...], float] = {}
    for s in result["spans"]:  # type: ignore[attr-defined]
        out[("span", s["start"], s["end"], s["technique"])] = s["score"]
    for p in result["paragraphs"]:  # type: ignore[attr-defined]
        for t in p["techniques"]:
            out[("paragraph", p["index"], t["name"])] = t["score"]
    for f in result["frames"]:  # type: ignore[attr-defined]
        out[("frame", f["name"])] = f["score"]
    out[("genre", result["genre"]["name"])] = result["genre"]["score"]  # type: ignore[index]
    return out


def _prepare(model: str, cache: Path) -> str:
    env = {**os.environ, "PROPSCOPE_CACHE": str(cache)}
    done = subprocess.run(
        [sys.executable, "-m", "propscope", "prepare", "--model", model],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


@pytest.mark.slow
def test_a_prepared_model_runs_without_torch_and_gives_torchs_fp32_output(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    printed = _prepare(str(tiny_model_dir), cache)
    assert "tiny: 1 graphs" in printed  # the tagger: the other components are linear
    with_torch = _analyse(str(tiny_model_dir), cache, "torch")
    with_onnx = _analyse(str(tiny_model_dir), cache, "onnx")
    assert with_torch["torch"] and not with_onnx["torch"]
    a, b = _scores(with_torch["result"]), _scores(with_onnx["result"])  # type: ignore[arg-type]
    assert a.keys() == b.keys() and any(k[0] == "span" for k in a)
    assert max(abs(a[k] - b[k]) for k in a) < 1e-3


@pytest.mark.slow
def test_a_bundled_model_runs_every_kind_of_graph_without_torch(tmp_path: Path) -> None:
    """en-fast: a MiniLM tagger, and multi-fast's e5 paragraph classifier (with the embeddings
    its linear sibling reads) and e5 sentence embeddings (frames)."""
    cache = tmp_path / "cache"
    assert "en-fast: 3 graphs" in _prepare("en-fast", cache)
    kinds = sorted(folder.name.split("-")[0] for folder in (cache / "onnx").iterdir())
    assert kinds == ["classifier", "embeddings", "tagger"]
    with_torch = _analyse("en-fast", cache, "torch")
    with_onnx = _analyse("en-fast", cache, "onnx")
    assert not with_onnx["torch"]
    a, b = _scores(with_torch["result"]), _scores(with_onnx["result"])  # type: ignore[arg-type]
    assert a.keys() == b.keys()
    assert max(abs(a[k] - b[k]) for k in a) < 1e-3


def test_a_damaged_graph_is_named_and_auto_falls_back_to_torch(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files, encoder = _component(tmp_path)
    folder = onnx.graph_folder("tagger", files, encoder)
    folder.mkdir(parents=True)
    (folder / onnx.GRAPH).write_bytes(b"not a graph")
    (folder / onnx.WEIGHTS).write_bytes(b"")
    onnx.use_runtime("auto")
    with pytest.warns(UserWarning, match="running torch instead.*cannot be loaded"):
        assert onnx.find_runner("tagger", files, encoder) is None
    monkeypatch.setenv(onnx.RUNTIME_ENV, "onnx")
    with pytest.raises(ModelLoadError, match=r"E101.*cannot be loaded.*delete it"):
        onnx.find_runner("tagger", files, encoder)


# Export a saved tagger's graph, then compare its token probabilities from the graph with torch's.
CRF_GRAPH = """
import json, sys
from pathlib import Path
import numpy as np
from propscope.models import onnx
from propscope.models.tagger import SpanTagger
with onnx.runtime("torch"):
    with_torch = SpanTagger.load(Path(sys.argv[1]))
    with_torch.export_graph()
with onnx.runtime("onnx"):
    with_graph = SpanTagger.load(Path(sys.argv[1]))
    probs = with_graph.token_probabilities(sys.argv[2])[0]
expected = with_torch.token_probabilities(sys.argv[2])[0]
print(json.dumps({"same_shape": probs.shape == expected.shape,
                  "from_graph": not hasattr(with_graph, "head_"),
                  "largest_difference": float(np.abs(probs - expected).max())}))
"""


@pytest.mark.slow
def test_a_crf_tagger_runs_from_its_graph(cache: Path, tiny_docs: list, tmp_path: Path) -> None:
    """The graph of a CRF-headed tagger ends at the emission scores; the marginals computed
    after it equal torch's (fp32, in a process of its own: the format is chosen once)."""
    from propscope.models.tagger import SpanTagger, TaggerConfig

    config = TaggerConfig(
        epochs=3, frozen_layers=4, validation_fraction=0.0, batch_size=8, head="crf"
    )
    SpanTagger(config).fit(tiny_docs).save(tmp_path / "tagger")
    env = {**os.environ, "PROPSCOPE_CACHE": str(cache), "PROPSCOPE_DTYPE": "fp32"}
    done = subprocess.run(
        [sys.executable, "-c", CRF_GRAPH, str(tmp_path / "tagger"), ARTICLE],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["same_shape"] and result["from_graph"]
    assert result["largest_difference"] < 1e-3
