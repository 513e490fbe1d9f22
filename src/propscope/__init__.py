"""propscope: find propaganda and persuasion techniques in news."""

from propscope.errors import PropscopeError
from propscope.types import Document, Label, Paragraph, Span

__version__ = "0.1.0"

__all__ = ["Document", "Label", "Paragraph", "PropscopeError", "Span", "__version__"]
