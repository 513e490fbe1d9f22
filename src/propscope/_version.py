"""The package version (one place: ``propscope.__version__`` and model metadata read it)."""

__version__ = "0.1.0"
