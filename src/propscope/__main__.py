"""``python -m propscope``: the same as the ``propscope`` command."""

from propscope.cli import run

if __name__ == "__main__":
    run()
