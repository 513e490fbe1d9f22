"""ONNX Runtime instead of torch for the encoders: a faster start or a faster forward? (issue 18:
ONNX Runtime only where the outputs are equal and the gain is real.)

Each base encoder the bundled models run (all-MiniLM-L6-v2, all-mpnet-base-v2, multilingual
e5-small) is exported in fp32 from propscope's own inference body to ONNX (opset 17), then
optimised once by ONNX Runtime and saved, as a cache built at install or first use would be. On
the tokens of a 600-word article (``propscope.evaluation.speed.sample_article``, in windows of at
most 254 tokens, as the speed benchmark's bare forward), each measured in a fresh process:

- **cold**: import the runtime, load the encoder (torch: propscope's loader, in the format it
  chooses on this CPU; ONNX Runtime: the optimised file, optimisation off; or *mapped*: the same
  graph with its weights in a file of their own, mapped into memory and not prepacked), first
  forward;
- **warm**: the median of five forwards, torch fp32, torch in the chosen format (when that is not
  fp32) and ONNX Runtime fp32 (both ways), and the largest difference of ONNX Runtime's hidden
  states from torch fp32's::

    python benchmarks/onnx_check.py --out benchmarks/results/onnx-check.json

Needs ``pip install onnxruntime onnx`` (not propscope dependencies).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from propscope.evaluation.speed import bare_windows, median_seconds, sample_article

ENCODERS = {"minilm-l6": "en", "mpnet-base": "en", "e5-small": "fr"}


def export(encoder: str, folder: Path) -> dict[str, Any]:
    """Export the fp32 body, optimise it once with ONNX Runtime, save the inputs and the torch
    fp32 output beside it."""
    os.environ["PROPSCOPE_DTYPE"] = "fp32"
    import numpy as np
    import onnxruntime as ort
    import torch

    from propscope.models.encoders import load_inference_body

    body = load_inference_body(encoder).eval()

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = body

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.body(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    ids, mask = bare_windows(encoder, sample_article(ENCODERS[encoder], 600))
    tensors = (torch.from_numpy(ids), torch.from_numpy(mask))
    with torch.inference_mode():
        reference = Hidden()(*tensors).float().numpy()
    axes = {"batch": 0, "tokens": 1}
    dynamic = {name: {i: n for n, i in axes.items()} for name in ("ids", "mask", "hidden")}
    raw = folder / f"{encoder}.onnx"
    torch.onnx.export(
        Hidden(),
        tensors,
        str(raw),
        input_names=["ids", "mask"],
        output_names=["hidden"],
        dynamic_axes=dynamic,
        opset_version=17,
        dynamo=False,
    )
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(folder / f"{encoder}.opt.onnx")
    ort.InferenceSession(str(raw), options, providers=["CPUExecutionProvider"])
    # The same graph with its weights in a file of their own, which ONNX Runtime maps into memory.
    import onnx

    onnx.save_model(
        onnx.load(str(folder / f"{encoder}.opt.onnx")),
        str(folder / f"{encoder}.mmap.onnx"),
        save_as_external_data=True,
        location=f"{encoder}.weights",
        size_threshold=1024,
    )
    np.save(folder / f"{encoder}.ids.npy", ids)
    np.save(folder / f"{encoder}.mask.npy", mask)
    np.save(folder / f"{encoder}.ref.npy", reference)
    return {"tokens": int(mask.sum()), "windows": int(ids.shape[0])}


def ort_session(encoder: str, folder: Path, mapped: bool = False) -> Any:
    """An ONNX Runtime session over the optimised file, optimisation off (the cache's job);
    ``mapped``: the weights mapped from their own file and used as they are (no prepacking)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = os.cpu_count() or 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    if mapped:
        options.add_session_config_entry("session.disable_prepacking", "1")
    path = str(folder / f"{encoder}.{'mmap' if mapped else 'opt'}.onnx")
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def cold(runtime: str, encoder: str, folder: Path) -> dict[str, float]:
    """Seconds to import the runtime, load the encoder and run the first forward (this process
    must be fresh)."""
    began = time.perf_counter()
    if runtime == "torch":
        import torch

        imported = time.perf_counter()
        from propscope.models.encoders import load_inference_body

        body = load_inference_body(encoder)
        loaded = time.perf_counter()
        import numpy as np

        ids = torch.from_numpy(np.load(folder / f"{encoder}.ids.npy"))
        mask = torch.from_numpy(np.load(folder / f"{encoder}.mask.npy"))
        with torch.inference_mode():
            body(input_ids=ids, attention_mask=mask)
    else:
        import onnxruntime  # noqa: F401

        imported = time.perf_counter()
        session = ort_session(encoder, folder, mapped=runtime == "ort-mmap")
        loaded = time.perf_counter()
        import numpy as np

        feeds = {k: np.load(folder / f"{encoder}.{k}.npy") for k in ("ids", "mask")}
        session.run(None, feeds)
    done = time.perf_counter()
    return {
        "import": round(imported - began, 3),
        "load": round(loaded - imported, 3),
        "first_forward": round(done - loaded, 3),
        "total": round(done - began, 3),
    }


def warm(encoder: str, folder: Path) -> dict[str, Any]:
    """Warm medians of torch fp32, torch in the chosen format and ONNX Runtime fp32, and ONNX
    Runtime's largest difference from torch fp32."""
    import numpy as np
    import torch

    from propscope.models import runtime
    from propscope.models.encoders import load_inference_body

    chosen = runtime.inference_format()
    feeds = {k: np.load(folder / f"{encoder}.{k}.npy") for k in ("ids", "mask")}
    ids, mask = (torch.from_numpy(feeds[k]) for k in ("ids", "mask"))
    out: dict[str, Any] = {"chosen_format": chosen}
    for name in dict.fromkeys(["fp32", chosen]):
        os.environ[runtime.DTYPE_ENV] = name
        runtime.inference_format.cache_clear()
        body = load_inference_body(encoder)

        def forward(body: Any = body) -> None:
            with torch.inference_mode():
                body(input_ids=ids, attention_mask=mask)

        forward()
        out[f"torch_{name}"] = round(median_seconds(forward), 3)
    reference = np.load(folder / f"{encoder}.ref.npy")
    for name, mapped in (("ort", False), ("ort_mmap", True)):
        session = ort_session(encoder, folder, mapped)
        hidden = session.run(None, feeds)[0]
        out[f"{name}_fp32"] = round(median_seconds(lambda s=session: s.run(None, feeds)), 3)
        out[f"{name}_max_abs_diff"] = float(np.abs(hidden - reference).max())
    return out


def child(*args: str) -> Any:
    """Run one step in a fresh process and return what it printed (JSON)."""
    done = subprocess.run(
        [sys.executable, __file__, "--one", *args], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoders", nargs="+", default=list(ENCODERS))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/onnx-check.json"))
    parser.add_argument(
        "--one", nargs=3, metavar=("STEP", "ENCODER", "FOLDER"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.one:  # a child process: one step
        step, encoder, folder = args.one[0], args.one[1], Path(args.one[2])
        steps = {
            "export": lambda: export(encoder, folder),
            "cold-torch": lambda: cold("torch", encoder, folder),
            "cold-ort": lambda: cold("ort", encoder, folder),
            "cold-ort-mmap": lambda: cold("ort-mmap", encoder, folder),
            "warm": lambda: warm(encoder, folder),
        }
        print(json.dumps(steps[step]()))
        return
    import onnxruntime
    import torch

    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for encoder in args.encoders:
            row = child("export", encoder, tmp)
            row["onnx_mb"] = round((Path(tmp) / f"{encoder}.opt.onnx").stat().st_size / 2**20)
            for runtime in ("torch", "ort", "ort-mmap"):
                runs = [child(f"cold-{runtime}", encoder, tmp) for _ in range(3)]
                median = sorted(runs, key=lambda r: r["total"])[1]
                row[f"cold_{runtime.replace('-', '_')}"] = median
            row.update(child("warm", encoder, tmp))
            rows[encoder] = row
            print(encoder, row, flush=True)
    machine = {
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "onnxruntime": onnxruntime.__version__,
    }
    args.out.write_text(json.dumps({"machine": machine, "encoders": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
