"""Fine-tuned encoders run by ONNX Runtime, for a start without torch.

Importing torch costs about a second per process, more than loading and running a model on one
article; ONNX Runtime imports in 0.1 s, and a graph whose weights sit in a file of their own is
mapped into memory rather than read (``benchmarks/onnx_check.py``). ``propscope prepare`` exports
each fine-tuned component of a model once, in fp32 (adapters merged, head included), to the user
cache; where the graph of every such component is there, ``propscope analyze`` (one article per
process) runs them without importing torch. Batches, the server and the library keep torch:
where the CPU computes bf16 natively, torch's bf16 forward is 2-3x faster than ONNX Runtime's
fp32 once both are loaded.

The runtime is chosen once per process: ``PROPSCOPE_RUNTIME`` (``torch``, ``onnx`` or ``auto``),
else what the caller set with :func:`use_runtime` (the CLI's ``analyze``: ``auto``), else
``torch``. ``auto`` runs a component from its graph where one was prepared and ONNX Runtime is
installed; ``onnx`` requires it (E101 names the command that prepares it).

A graph is keyed by everything its output depends on: the component's saved files, the base
encoder's files, the export code's revision and ONNX Runtime's version, so a retrained component
or an upgrade is exported afresh and a stale graph is never run. The layout::

    $PROPSCOPE_CACHE or ~/.cache/propscope/
        onnx/<kind>-<key>/graph.onnx, graph.weights

Example:
    >>> with runtime("auto"):
    ...     chosen_runtime()
    'auto'
"""

from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import numpy as np

from propscope.errors import ConfigError, Errors, ModelLoadError

#: The environment variable that chooses the runtime (``torch``, ``onnx``, ``auto``).
RUNTIME_ENV = "PROPSCOPE_RUNTIME"
RUNTIMES = ("torch", "onnx", "auto")
#: Bumped whenever the exported graphs change meaning: older graphs are then never used.
EXPORT_REVISION = 1
GRAPH, WEIGHTS = "graph.onnx", "graph.weights"
_default = "torch"


def use_runtime(name: str) -> None:
    """Set this process's runtime where ``PROPSCOPE_RUNTIME`` does not. Components loaded
    before keep theirs."""
    global _default
    if name not in RUNTIMES:
        raise ConfigError(
            Errors.E065.format(variable="runtime", value=name, expected=" or ".join(RUNTIMES))
        )
    _default = name


@contextmanager
def runtime(name: str) -> Iterator[None]:
    """:func:`use_runtime` within a block (the CLI's ``analyze``: ``auto``), then as before."""
    before = _default
    use_runtime(name)
    try:
        yield
    finally:
        use_runtime(before)


def chosen_runtime() -> str:
    """``torch``, ``onnx`` or ``auto``: ``PROPSCOPE_RUNTIME``, else :func:`use_runtime`'s."""
    value = os.environ.get(RUNTIME_ENV, "").strip().lower()
    if not value:
        return _default
    if value not in RUNTIMES:
        raise ConfigError(
            Errors.E065.format(variable=RUNTIME_ENV, value=value, expected=" or ".join(RUNTIMES))
        )
    return value


def onnxruntime_installed() -> bool:
    """Whether ONNX Runtime can be imported here (a dependency of propscope's)."""
    return find_spec("onnxruntime") is not None


def _ort_version() -> str:
    from importlib.metadata import version

    return version("onnxruntime")


def _digest(update: Callable[[Any], None]) -> str:
    h = hashlib.sha256()
    update(h)
    return h.hexdigest()[:20]


@lru_cache(maxsize=8)
def encoder_identity(folder: Path) -> str:
    """A digest of the base encoder's files in ``folder`` (config and the names and sizes of the
    rest): what an exported graph inherits from the encoder. Cheap: no weight is read."""

    def update(h: Any) -> None:
        for path in sorted(folder.iterdir()):
            h.update(path.name.encode())
            if path.name == "config.json":
                h.update(path.read_bytes())
            elif path.is_file():
                h.update(str(path.stat().st_size).encode())

    return _digest(update)


def graph_folder(kind: str, files: Sequence[Path], encoder: Path) -> Path:
    """Where the graph of a component of ``kind`` saved in ``files`` over the base encoder in
    the folder ``encoder`` lives."""
    from propscope.models.encoders.cache import user_cache_dir

    def update(h: Any) -> None:
        h.update(f"{kind}\0{EXPORT_REVISION}\0{_ort_version()}\0".encode())
        h.update(encoder_identity(encoder).encode())
        for path in files:
            h.update(path.read_bytes())

    return user_cache_dir() / "onnx" / f"{kind}-{_digest(update)}"


class GraphRunner:
    """An ONNX Runtime session over a prepared graph: ``run(ids, mask)`` gives its outputs as
    numpy arrays (fp32), in the order they were exported."""

    def __init__(self, folder: Path) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        # Weights are used where they are mapped, not copied into packed layouts: a start
        # without reading them (the forward is 10-15% slower than with packing).
        options.add_session_config_entry("session.disable_prepacking", "1")
        # The CLI and the server choose threads (models.runtime.use_threads); else ONNX
        # Runtime's own choice, one per core.
        threads = os.environ.get("OMP_NUM_THREADS", "")
        if threads.isdigit() and int(threads) > 0:
            options.intra_op_num_threads = int(threads)
        self.folder = folder
        self.session = ort.InferenceSession(
            str(folder / GRAPH), options, providers=["CPUExecutionProvider"]
        )

    def run(
        self, ids: np.ndarray, mask: np.ndarray, outputs: Sequence[str] | None = None
    ) -> list[np.ndarray]:
        """The graph's outputs (those named in ``outputs``; all by default) for a padded batch."""
        names = None if outputs is None else list(outputs)
        found = self.session.run(names, {"ids": ids, "mask": mask})
        return [np.asarray(o, dtype=np.float32) for o in found]


def find_runner(kind: str, files: Sequence[Path], encoder: Path) -> GraphRunner | None:
    """The prepared graph of a component for this process's runtime, or ``None`` (run it with
    torch).

    Raises:
        ModelLoadError: E101 when ``PROPSCOPE_RUNTIME=onnx`` and the graph is not prepared or
            ONNX Runtime is not installed.
    """
    runtime = chosen_runtime()
    if runtime == "torch":
        return None
    if not onnxruntime_installed():
        if runtime == "onnx":
            reason = "ONNX Runtime is not installed: pip install onnxruntime"
            raise ModelLoadError(Errors.E101.format(reason=reason))
        return None
    from propscope.models.encoders.cache import user_cache_dir

    prepared = (user_cache_dir() / "onnx").is_dir()  # else no key is worth hashing files for
    folder = graph_folder(kind, files, encoder) if prepared else None
    if folder is None or not all((folder / name).is_file() for name in (GRAPH, WEIGHTS)):
        if runtime == "onnx":
            where = f"{files[0].parent} ({kind})" if files else f"{encoder.name} ({kind})"
            reason = f"no graph prepared for {where}; run: propscope prepare"
            raise ModelLoadError(Errors.E101.format(reason=reason))
        return None
    try:
        return GraphRunner(folder)
    except Exception as exc:  # a damaged graph (ONNX Runtime's own errors have no common type)
        reason = (
            f"the graph in {folder} cannot be loaded ({exc}); delete it and run: propscope prepare"
        )
        if runtime == "onnx":
            raise ModelLoadError(Errors.E101.format(reason=reason)) from exc
        warnings.warn(f"propscope: running torch instead: {reason}", stacklevel=2)
        return None


# ------------------------------------------------------------------------------------ export
def export_graph(
    module: Any, kind: str, files: Sequence[Path], encoder: Path, outputs: Sequence[str]
) -> Path:
    """Export ``module`` (a torch module taking ``ids`` and ``mask``) to its cache folder, its
    weights in a file of their own; nothing is done where the graph is already there."""
    from propscope.models.encoders.cache import cached_folder

    torch = _torch()

    def build(folder: Path) -> None:
        import onnxruntime as ort

        ids = torch.tensor([[101, 2023, 2003, 1037, 3231, 102], [101, 2178, 102, 0, 0, 0]])
        mask = (ids != 0).long()
        raw = folder / "raw.onnx"
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's notes on Python values it fixes
            torch.onnx.export(
                module.eval(),
                (ids, mask),
                str(raw),
                input_names=["ids", "mask"],
                output_names=list(outputs),
                dynamic_axes={
                    "ids": {0: "rows", 1: "tokens"},
                    "mask": {0: "rows", 1: "tokens"},
                    **{name: {0: "rows"} for name in outputs},
                },
                opset_version=17,
                dynamo=False,
            )
        # Optimised once here (fused attention and layer norms), saved with the weights in a
        # file of their own, which sessions map into memory instead of reading.
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
        options.optimized_model_filepath = str(folder / GRAPH)
        entries = {
            "session.optimized_model_external_initializers_file_name": WEIGHTS,
            "session.optimized_model_external_initializers_min_size_in_bytes": "1024",
        }
        for key, value in entries.items():
            options.add_session_config_entry(key, value)
        ort.InferenceSession(str(raw), options, providers=["CPUExecutionProvider"])
        raw.unlink()

    return cached_folder(graph_folder(kind, files, encoder), [GRAPH, WEIGHTS], build)


def _torch() -> Any:
    from propscope.models.runtime import import_torch

    return import_torch()


__all__ = [
    "RUNTIMES",
    "RUNTIME_ENV",
    "GraphRunner",
    "chosen_runtime",
    "export_graph",
    "find_runner",
    "graph_folder",
    "onnxruntime_installed",
    "runtime",
    "use_runtime",
]
