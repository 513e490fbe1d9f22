"""propscope: find propaganda and persuasion techniques in news.

The public API: :func:`analyze` an article, :func:`load` a model (a :class:`Pipeline`), the data
types (:class:`Document`, :class:`Span`, :class:`Paragraph`, :class:`Label`) and the error classes.
Importing it loads no model and no torch.
"""

from propscope._version import __version__
from propscope.errors import (
    ConfigError,
    CorpusFormatError,
    EngineError,
    FetchError,
    InputNotFoundError,
    InputTooLargeError,
    InvalidInputError,
    ModelLoadError,
    NotFittedError,
    PropscopeError,
    SpanError,
    TrainingError,
    UnknownLabelError,
)
from propscope.model_choice import analyze
from propscope.pipeline import Pipeline, load
from propscope.types import Document, Label, Paragraph, Span

__all__ = [
    "ConfigError",
    "CorpusFormatError",
    "Document",
    "EngineError",
    "FetchError",
    "InputNotFoundError",
    "InputTooLargeError",
    "InvalidInputError",
    "Label",
    "ModelLoadError",
    "NotFittedError",
    "Paragraph",
    "Pipeline",
    "PropscopeError",
    "Span",
    "SpanError",
    "TrainingError",
    "UnknownLabelError",
    "__version__",
    "analyze",
    "load",
]
