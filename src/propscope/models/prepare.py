"""Export a pipeline's encoders to ONNX graphs, for a start without torch
(:mod:`propscope.models.onnx`; ``propscope prepare``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from propscope.errors import Errors, ModelLoadError
from propscope.models.encoders.cache import user_cache_dir
from propscope.models.encoders.registry import export_embedding_graph
from propscope.models.runtime import inference_format


def prepare(pipeline: Any) -> list[Path]:
    """Export the graphs of every fine-tuned component of ``pipeline`` (loaded with torch in
    fp32: ``PROPSCOPE_DTYPE=fp32``) and of the base encoders its linear models embed with.
    Returns the graph folders."""
    if inference_format() != "fp32":
        reason = "graphs are exported in fp32: load the pipeline with PROPSCOPE_DTYPE=fp32"
        raise ModelLoadError(Errors.E101.format(reason=reason))
    folders: list[Path] = []
    encoders: list[str] = []
    for component in (pipeline.tagger, pipeline.paragraphs, pipeline.frames, pipeline.genre):
        for member in getattr(component, "members", None) or [component]:
            if member is None:
                continue
            if getattr(member, "graph_supported", False):  # a fine-tuned encoder
                folders.append(member.export_graph())
            config: Any = getattr(member, "config", None)
            if getattr(config, "use_embeddings", False):
                encoders.append(config.embedding_encoder)
    folders += [export_embedding_graph(name) for name in dict.fromkeys(encoders)]
    return folders


def graphs_folder() -> Path:
    """The folder of all prepared graphs."""
    return user_cache_dir() / "onnx"


def prune(keep: list[Path]) -> list[Path]:
    """Delete the prepared graphs not in ``keep`` (those of retrained components or of older
    versions, which are never run again); returns what was deleted."""
    import shutil

    folder = graphs_folder()
    stale = [p for p in folder.iterdir() if p.is_dir() and p not in keep] if folder.is_dir() else []
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return stale


def folder_megabytes(folders: list[Path]) -> float:
    """The size of the files in ``folders``, in MiB."""
    return sum(f.stat().st_size for folder in folders for f in folder.iterdir()) / 2**20


__all__ = ["folder_megabytes", "graphs_folder", "prepare", "prune"]
