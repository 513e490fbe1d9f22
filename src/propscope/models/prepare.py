"""Export a pipeline's encoders to ONNX graphs, for a start without torch
(:mod:`propscope.models.onnx`; ``propscope prepare``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from propscope.errors import Errors, ModelLoadError
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
            config = getattr(member, "config", None)
            if getattr(config, "use_embeddings", False):
                encoders.append(config.embedding_encoder)
    folders += [export_embedding_graph(name) for name in dict.fromkeys(encoders)]
    return folders


__all__ = ["prepare"]
