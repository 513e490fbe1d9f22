"""How fast a model runs on this machine, as ratios measured in one process.

Machines differ in their CPU, and so does the number format propscope chooses (bf16 only where
the CPU runs it natively; :mod:`propscope.models.runtime`). :func:`measure_model` loads a model
in a fresh process and reports, for an article of about 600 words: the load time (imports
included), the first and the warm analysis, and the warm analysis **as a ratio to the bare fp32
forward of the model's base encoders over the same tokens** (the work no implementation can
skip), the bare forward in bf16 over fp32 (why the format was chosen) and the peak memory.
``propscope bench speed`` prints it; ``benchmarks/speed.py`` adds whole commands (CLI, batch,
server) for docs/benchmarks.md.

Example:
    >>> text = sample_article("fr", words=120)
    >>> 120 <= len(text.split()) < 160
    True
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from propscope.errors import ConfigError, EngineError, Errors

#: The default text per language: a short article written for propscope (no corpus text),
#: repeated to the length asked for. Its words matter little: time grows with the tokens.
SAMPLES = {
    "en": (
        "The city council met on Tuesday evening to discuss the budget for the coming year.\n"
        "Members agreed to spend more on road repairs and less on new office buildings, after a "
        "report found that many streets had not been resurfaced for two decades.\n"
        "Some residents who attended the meeting said the decision was long overdue, while "
        "others worried that the plan would raise local taxes.\n"
        "The mayor promised to publish a detailed breakdown of the costs next month and to hold "
        "two public hearings before the final vote in March."
    ),
    "fr": (
        "Le conseil municipal s'est réuni mardi soir pour discuter du budget de l'année "
        "prochaine.\n"
        "Les élus ont accepté de dépenser davantage pour la réfection des routes et moins pour "
        "de nouveaux bureaux, après qu'un rapport a montré que de nombreuses rues n'avaient pas "
        "été refaites depuis vingt ans.\n"
        "Certains habitants présents ont estimé que la décision arrivait bien tard, tandis que "
        "d'autres craignaient une hausse des impôts locaux.\n"
        "Le maire a promis de publier le détail des coûts le mois prochain et d'organiser deux "
        "réunions publiques avant le vote final en mars."
    ),
}
#: The language each bundled model is measured in.
MODEL_LANGUAGE = {"en-fast": "en", "en-accurate": "en", "multi-fast": "fr"}


def sample_article(language: str, words: int = 600, text: str | None = None) -> str:
    """``text`` (default: :data:`SAMPLES` of ``language``), its lines repeated until about
    ``words`` words.

    Raises:
        ConfigError: no ``text`` and no sample in ``language``, or a ``text`` without words.
    """
    if text is None and language not in SAMPLES:
        reason = f"there is a sample text in {', '.join(SAMPLES)} only: give a text to time"
        raise ConfigError(Errors.E050.format(name="language", value=language, reason=reason))
    source = text if text is not None else SAMPLES[language]
    lines = [line for line in source.splitlines() if line.strip()]
    if not lines:
        raise ConfigError(Errors.E050.format(name="text", value="''", reason="it has no words"))
    out: list[str] = []
    while sum(len(line.split()) for line in out) < words:
        out.append(lines[len(out) % len(lines)])
    return "\n".join(out) + "\n"


def median_seconds(run: Callable[[], Any], repeats: int = 5) -> float:
    """The median wall time of ``repeats`` calls of ``run``."""
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def encoders_of(pipeline: Any) -> list[str]:
    """The base encoders that a pipeline's components run, each named once: the tagger's, a
    fine-tuned classifier's, and those of linear models that read sentence embeddings."""
    found: list[str] = []
    for component in (pipeline.tagger, pipeline.paragraphs, pipeline.genre, pipeline.frames):
        for member in getattr(component, "members", None) or [component]:
            config: Any = getattr(member, "config", None)
            if hasattr(member, "_body"):
                found.append(config.encoder)
            elif getattr(config, "use_embeddings", False):
                found.append(config.embedding_encoder)
    return list(dict.fromkeys(found))


def bare_windows(encoder: str, text: str) -> tuple[Any, Any]:
    """``text``'s tokens for the encoder ``encoder`` in equal windows of at most 254 tokens, each
    token read once: padded ``(input_ids, attention_mask)``, int64 numpy arrays (the input of
    :func:`bare_forward`)."""
    from propscope.models.encoders import encoder_path
    from propscope.models.encoders.bert import load_tokenizer, pad_rows

    tokenizer = load_tokenizer(str(encoder_path(encoder)))
    ids, _ = tokenizer.encode(text)
    count = -(-len(ids) // 254)
    width = -(-len(ids) // count)
    rows = [ids[i : i + width] for i in range(0, len(ids), width)]
    return pad_rows(rows, tokenizer.cls_token_id, tokenizer.sep_token_id)


def bare_forward(encoder: str, text: str, format_name: str) -> float:
    """Median seconds of the base encoder's forward over ``text``'s tokens in windows of at most
    254 tokens (each token read once), in ``format_name`` (``fp32`` or ``bf16``). It sets
    ``PROPSCOPE_DTYPE`` for this process: call it after the measured analysis."""
    from propscope.models import runtime

    os.environ[runtime.DTYPE_ENV] = format_name
    runtime.inference_format.cache_clear()
    torch = runtime.import_torch()

    from propscope.models.encoders import load_inference_body

    body = load_inference_body(encoder)  # a BERT built without transformers, or MPNet
    input_ids, mask = (torch.from_numpy(a) for a in bare_windows(encoder, text))

    def run() -> None:
        with torch.inference_mode():
            body(input_ids=input_ids, attention_mask=mask)

    run()
    return median_seconds(run)


def measure_here(model: str, text: str, language: str) -> dict[str, Any]:
    """:func:`measure_model`'s measures, in this process (which should not have loaded torch or
    a model yet, for the load time to mean anything). Sets torch's threads as the CLI does."""
    began = time.perf_counter()
    from propscope.models.runtime import describe, inference_format, thread_count, use_threads

    use_threads(thread_count())
    from propscope.pipeline import load

    pipeline = load(model)
    load_seconds = time.perf_counter() - began
    began = time.perf_counter()
    pipeline.analyze(text, lang=language)
    first = time.perf_counter() - began
    warm = median_seconds(lambda: pipeline.analyze(text, lang=language))
    runtime = describe()
    chosen = inference_format()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    encoders = encoders_of(pipeline)
    fp32 = sum(bare_forward(name, text, "fp32") for name in encoders)
    bf16 = sum(bare_forward(name, text, "bf16") for name in encoders)
    return {
        "model": model,
        "language": language,
        "words": len(text.split()),
        "runtime": runtime,
        "load_seconds": round(load_seconds, 3),
        "first_analysis_seconds": round(first, 3),
        "warm_analysis_seconds": round(warm, 4),
        "encoders": encoders,
        "bare_fp32_seconds": round(fp32, 4),
        "bare_bf16_seconds": round(bf16, 4),
        "bf16_over_fp32": round(bf16 / fp32, 2),
        "analysis_over_bare_fp32": round(warm / fp32, 2),
        "analysis_over_bare_chosen": round(warm / (bf16 if chosen == "bf16" else fp32), 2),
        "peak_rss_mb": round(peak_mb),
    }


def measure_model(
    model: str, text: str | None = None, language: str | None = None, words: int = 600
) -> dict[str, Any]:
    """Load ``model`` in a fresh Python process and time it on ``text`` (default: the sample of
    its language, :data:`SAMPLES`) repeated to about ``words`` words; the measures as a dict
    (:func:`measure_here`). The environment (``PROPSCOPE_DTYPE``, ``PROPSCOPE_THREADS``, ...)
    is this process's.

    Raises:
        EngineError: E095, the child process failed (its last error line is given).
    """

    lang = language or MODEL_LANGUAGE.get(model, "en")
    article = sample_article(lang, words, text)
    job = json.dumps({"model": model, "text": article, "language": lang})
    code = (
        "import json, sys; from propscope.evaluation.speed import measure_here; "
        "job = json.loads(sys.stdin.read()); "
        "print(json.dumps(measure_here(job['model'], job['text'], job['language'])))"
    )
    child = subprocess.run(
        [sys.executable, "-c", code], input=job, capture_output=True, text=True, check=False
    )
    if child.returncode != 0:
        last = (child.stderr.strip().splitlines() or ["no output"])[-1]
        kind, _, message = last.partition(": ")
        if kind.startswith("propscope.errors.") and message:
            raise EngineError(message)  # the child's own error, as it would print it
        raise EngineError(Errors.E095.format(model=model, reason=last.rstrip(".")))
    result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return result
