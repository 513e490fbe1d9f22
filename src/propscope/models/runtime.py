"""How the encoders run on this machine: the number format, chosen once per process from the CPU.

bf16 is used only where the CPU computes it natively (AVX-512 BF16 or AMX tiles): there it is
2.7-3.8x faster than fp32 with outputs at cosine 0.9999. Without native support (AVX2 machines),
PyTorch emulates it and bf16 is 4-6x *slower* than fp32, so fp32 is used. ``PROPSCOPE_DTYPE``
(``fp32``, ``bf16`` or ``auto``) overrides the choice; ``propscope info`` shows it.

Threads are not set here: the library never changes a host program's global torch settings.
The CLI and the server choose them (:func:`thread_count`, applied before torch is imported).

Example:
    >>> describe_format("fp32", native_bf16=False)
    'fp32 (no native bf16 on this CPU)'
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager, nullcontext
from functools import lru_cache
from typing import Any

from propscope.errors import ConfigError, Errors

#: The environment variable that overrides the number format (``fp32``, ``bf16``, ``auto``).
DTYPE_ENV = "PROPSCOPE_DTYPE"
#: The environment variable that sets torch threads in the CLI, the server and batch workers.
THREADS_ENV = "PROPSCOPE_THREADS"
FORMATS = ("auto", "fp32", "bf16")


def import_torch() -> Any:
    """Import torch and return the module (lazily: ``import propscope`` needs no torch). No
    global setting, environment variable or thread count is changed."""
    import torch

    return torch


@lru_cache(maxsize=1)
def cpu_features() -> dict[str, Any]:
    """What torch reports of this CPU: its vector capability and native bf16/AMX support."""
    torch = import_torch()
    cpu = torch.cpu
    return {
        "capability": str(torch.backends.cpu.get_cpu_capability()),
        "avx512_bf16": bool(getattr(cpu, "_is_avx512_bf16_supported", lambda: False)()),
        "amx": bool(getattr(cpu, "_is_amx_tile_supported", lambda: False)()),
    }


def native_bf16() -> bool:
    """Whether this CPU runs bf16 matrix products natively (AVX-512 BF16 or AMX)."""
    features = cpu_features()
    return bool(features["avx512_bf16"] or features["amx"])


def requested_format() -> str:
    """The format asked for by ``PROPSCOPE_DTYPE`` (``auto`` when unset)."""
    value = os.environ.get(DTYPE_ENV, "auto").strip().lower() or "auto"
    aliases = {"float32": "fp32", "bfloat16": "bf16", "float": "fp32"}
    value = aliases.get(value, value)
    if value not in FORMATS:
        raise ConfigError(
            Errors.E065.format(
                variable=DTYPE_ENV, value=os.environ[DTYPE_ENV], expected=" or ".join(FORMATS)
            )
        )
    return value


@lru_cache(maxsize=1)
def inference_format() -> str:
    """``"bf16"`` or ``"fp32"``: the format the encoders compute in, decided once per process."""
    wanted = requested_format()
    if wanted != "auto":
        return wanted
    return "bf16" if native_bf16() else "fp32"


def inference_dtype() -> Any:
    """The torch dtype of :func:`inference_format`."""
    torch = import_torch()
    return torch.bfloat16 if inference_format() == "bf16" else torch.float32


def autocast() -> AbstractContextManager[Any]:
    """bf16 autocast where that is the chosen format (training and inference), else nothing."""
    if inference_format() != "bf16":
        return nullcontext()
    torch = import_torch()
    context: AbstractContextManager[Any] = torch.autocast("cpu", dtype=torch.bfloat16)
    return context


def describe_format(name: str, *, native_bf16: bool) -> str:
    """A few words on the format used and why."""
    if name == "bf16":
        return "bf16 (native on this CPU)" if native_bf16 else "bf16 (emulated: slow on this CPU)"
    if native_bf16:
        return "fp32 (set by PROPSCOPE_DTYPE; bf16 would be native here)"
    return "fp32 (no native bf16 on this CPU)"


def _threads_from(variable: str) -> int:
    try:
        return max(1, int(os.environ[variable]))
    except ValueError as exc:
        raise ConfigError(
            Errors.E065.format(
                variable=variable, value=os.environ[variable], expected="a whole number of threads"
            )
        ) from exc


def thread_count(share: int = 1) -> int:
    """Torch threads for one of ``share`` concurrent analyses: ``PROPSCOPE_THREADS`` if set
    (or, for a single analysis, ``OMP_NUM_THREADS``), else the cores divided among the analyses
    (at least 1, at most 4 each)."""
    if os.environ.get(THREADS_ENV):
        return _threads_from(THREADS_ENV)
    if share == 1 and os.environ.get("OMP_NUM_THREADS"):
        return _threads_from("OMP_NUM_THREADS")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(4, (cores or 1) // max(1, share)))


def describe() -> dict[str, Any]:
    """This process's runtime: CPU capability, native bf16, the chosen format, torch threads."""
    torch = import_torch()
    features = cpu_features()
    chosen = inference_format()
    return {
        **features,
        "format": chosen,
        "format_reason": describe_format(chosen, native_bf16=native_bf16()),
        "requested_format": requested_format(),
        "threads": torch.get_num_threads(),
        "torch": str(torch.__version__),
    }


def use_threads(threads: int) -> None:
    """For programs (the CLI, the server, batch workers), not the library: run torch with
    ``threads`` threads, OpenMP threads that sleep rather than spin when idle (spinning slows
    inference badly when another process shares the cores), and everything offline. Before
    torch is imported this only sets environment variables."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ["OMP_NUM_THREADS"] = str(threads)
    import sys

    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
