"""C-simulate every shared model and bundled example through the HLS backend.

For each model: `qnngen compile --backend hls` (--target-fps 20000 for MLPs, 2000 for conv nets,
as tests/test_end_to_end.py), `qnngen csim` on all of its sample inputs, and the outputs against
the source model's by the rule of `simulate` (exact where integer, else float32 rounding with the
same argmax). Prints one row per model.

    python scripts/csim_models.py [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from helpers import EXAMPLES, SHARED_CNVS, SHARED_MLPS, SHARED_MODELS, frames_off  # noqa: E402
from test_end_to_end import CONV_TARGET_FPS, TARGET_FPS  # noqa: E402

from qnngen.cli import main as qnngen  # noqa: E402

MODELS = [(SHARED_MODELS, n) for n in SHARED_MLPS + SHARED_CNVS] + [
    (EXAMPLES, n) for n in ("tfc_w1a1", "mlp_w2a2", "cnv_w1a1", "cnv_w2a2", "resnet_w4a4")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, help="folder for the build folders (default: a temporary one)")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="qnngen-csim-"))
    failed = 0
    for folder, name in MODELS:
        x_path = folder / f"{name}.in.npy"
        if not x_path.is_file():
            print(f"{folder.name}/{name}: not present")
            continue
        x, ref = np.load(x_path), np.load(folder / f"{name}.out.npy")
        out, y_path = work / f"{folder.name}-{name}", work / f"{folder.name}-{name}.y.npy"
        t0 = time.perf_counter()
        target = CONV_TARGET_FPS if x.ndim == 4 else TARGET_FPS
        qnngen(["compile", str(folder / f"{name}.onnx"), "-o", str(out), "--target-fps", target, "--backend", "hls"])
        t_compile = time.perf_counter() - t0
        code = qnngen(["csim", str(out), "--input", str(x_path), "-o", str(y_path)])
        rec = json.loads((out / "csim.json").read_text())
        y = np.load(y_path)
        exact = bool(np.all(y == ref)) if np.all(ref == np.round(ref)) else "n/a (float outputs)"
        off = frames_off(y, ref)
        ok = code == 0 and off == 0 and exact is not False
        failed += not ok
        print(f"{folder.name}/{name}: exit {code}, {rec['frames']} frames, {rec['mismatches_vs_reference']} mismatches "
              f"vs reference, {off} frames off the source model, exact {exact}; "
              f"compile {t_compile:.1f} s, g++ {rec['build_seconds']:.1f} s, {rec['fps']:,.1f} frames/s", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
