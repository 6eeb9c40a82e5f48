# SPDX-License-Identifier: Apache-2.0
"""Run a generated driver's pynq or xrt backend as on a target: fakes of pynq / pyxrt backed by
the verilated kernel of a build folder, and qnngen unimportable once the fakes are made.

    python fake_target.py BUILD DRIVER_DIR BACKEND BATCH INPUTS.npy OUTPUTS.npy LOG.json

Writes the driver's outputs and {"calls": [...], "run_cycles": [...]}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from fakes import fake_pynq, fake_pyxrt
from qnngen.shell.regmap import ARGS
from qnngen.sim.kernel import KernelSim


def main(
    build: str, driver_dir: str, backend: str, batch: str, inputs: str, outputs: str, log_path: str
) -> None:
    log: list = []
    with KernelSim(Path(build), seed=3, stalls=0.2) as sim:
        if backend == "pynq":
            sys.modules["pynq"] = fake_pynq(sim, log)
        else:
            sys.modules["pyxrt"] = fake_pyxrt(sim, log, {r.name: r.words for r in ARGS})
        for name in [m for m in sys.modules if m == "qnngen" or m.startswith("qnngen.")]:
            sys.modules[name] = None  # from here on `import qnngen...` raises ImportError
        sys.path.insert(0, driver_dir)
        import qnngen_driver

        with qnngen_driver.Accelerator(backend=backend, batch_size=int(batch)) as acc:
            y = acc.run(np.load(inputs))
            cycles = acc.run_cycles
    np.save(outputs, y)
    Path(log_path).write_text(json.dumps({"calls": log, "run_cycles": cycles}))


if __name__ == "__main__":
    main(*sys.argv[1:])
