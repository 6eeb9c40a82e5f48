"""Random, legal hardware layers for cost-model calibration: one generator per RTL module.

Each generator draws a layer of its kind (random sizes, bit widths, weights, thresholds) and a
random legal fold, and returns the layer's RTL instance, exactly as the compiler would emit it.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Callable, Mapping

import numpy as np

from qnngen.ir.datatypes import BIPOLAR, INT, UINT, DataType, IntType, smallest_int_type
from qnngen.layers import (
    DWC, FIFO, MVTU, SWU, VVU, AddStreams, Concat, Dup, GlobalPool, LabelSelect,
    MaxPoolLayer, Thresholding,
)
from qnngen.layers.base import Fold, HwLayer, RomContents, RtlInstance, divisors

#: RTL parameters naming files, not what is synthesized
FILE_PARAMS = ("W_FILE", "T_FILE", "MEM_DIR")


def _pick(rng: np.random.Generator, values) -> object:
    """A uniform pick from values, or None when there are none (a layer no fold is kept for)."""
    values = list(values)
    return values[int(rng.integers(len(values)))] if values else None


def _operand(rng: np.random.Generator, allow_bipolar: bool = True) -> DataType:
    bits = int(_pick(rng, (1, 1, 2, 2, 3, 4, 4, 6, 8)))
    if bits == 1:
        return BIPOLAR if allow_bipolar and rng.random() < 0.7 else UINT(1)
    return INT(bits) if rng.random() < 0.5 else UINT(bits)


def _values(rng: np.random.Generator, dtype: DataType, shape) -> np.ndarray:
    if dtype == BIPOLAR:
        return rng.choice(np.array([-1, 1]), size=shape)
    return rng.integers(int(dtype.min()), int(dtype.max()) + 1, size=shape)


def _thresholds(rng: np.random.Generator, lo: int, hi: int, channels: int, n: int) -> np.ndarray:
    return np.sort(rng.integers(lo, hi + 1, size=(channels, n)), axis=1)


def _activation(rng: np.random.Generator, acc: IntType, channels: int):
    """(thresholds or None, out dtype, out bias) of a random activation after `acc`."""
    if rng.random() < 0.2:
        return None, acc, 0
    out = _pick(rng, (BIPOLAR, UINT(2), INT(2), UINT(4), INT(4), UINT(8)))
    n = 1 if out == BIPOLAR else int(out.max() - out.min())
    t = _thresholds(rng, int(acc.min()), int(acc.max()), channels, n)
    return t, out, 0 if out == BIPOLAR else int(out.min())


def _acc(in_dtype: DataType, w_dtype: DataType, terms: int) -> IntType:
    extremes = [a * b for a in (in_dtype.min(), in_dtype.max()) for b in (w_dtype.min(), w_dtype.max())]
    return smallest_int_type(int(min(extremes)) * terms, int(max(extremes)) * terms)


def _fold(rng: np.random.Generator, layer: HwLayer, max_lanes: int) -> Fold:
    folds = [f for f in layer.fold_space() if f.pe * f.simd <= max_lanes]
    return _pick(rng, folds)


def mvtu(rng: np.random.Generator) -> tuple[HwLayer, Fold]:
    layer, folds = _mvtu_folds(rng)
    return layer, _pick(rng, folds)


def _mvtu_folds(rng: np.random.Generator) -> tuple[MVTU, list[Fold]]:
    mw = int(_pick(rng, (8, 16, 27, 32, 36, 64, 72, 128, 144, 256, 288, 576)))
    mh = int(_pick(rng, (4, 8, 10, 16, 32, 64, 128)))
    x = _operand(rng)
    w = _operand(rng, allow_bipolar=x == BIPOLAR or rng.random() < 0.3)
    acc = _acc(x, w, mw)
    t, out, bias = _activation(rng, acc, mh)
    layer = MVTU("p", x, w, acc, out, _values(rng, w, (mh, mw)), t, bias)
    # at most 512 weight and 4096 threshold bits a step: wider ones take Yosys tens of minutes
    folds = [f for f in layer.fold_space() if f.pe * f.simd * w.bitwidth() <= 512
             and f.pe * layer.n_thres * acc.bitwidth() <= 4096]
    return layer, folds


def mvtu_xnor(rng: np.random.Generator) -> tuple[HwLayer, Fold]:
    """An XNOR-popcount MVTU (bipolar inputs and weights), as in binarized networks."""
    mw = int(_pick(rng, (16, 27, 32, 64, 144, 256, 288, 576, 784, 1152)))
    mh = int(_pick(rng, (10, 16, 32, 64, 128, 256)))
    acc = _acc(BIPOLAR, BIPOLAR, mw)
    t, out, bias = _activation(rng, acc, mh)
    if out != BIPOLAR and rng.random() < 0.7:
        t, out, bias = _thresholds(rng, int(acc.min()), int(acc.max()), mh, 1), BIPOLAR, 0
    layer = MVTU("p", BIPOLAR, BIPOLAR, acc, out, _values(rng, BIPOLAR, (mh, mw)), t, bias)
    return layer, _fold(rng, layer, 512)


def vvu(rng: np.random.Generator) -> tuple[HwLayer, Fold]:
    layer, folds = _vvu_folds(rng)
    return layer, _pick(rng, folds)


def _vvu_folds(rng: np.random.Generator) -> tuple[VVU, list[Fold]]:
    c = int(_pick(rng, (4, 8, 16, 32, 64, 96)))
    k2 = int(_pick(rng, (4, 9, 25)))
    x, w = _operand(rng, allow_bipolar=False), _operand(rng, allow_bipolar=False)
    acc = _acc(x, w, k2)
    t, out, bias = _activation(rng, acc, c)
    layer = VVU("p", x, w, acc, out, _values(rng, w, (c, k2)), 1, t, bias)
    folds = [f for f in layer.fold_space() if f.pe <= 64 and f.pe * layer.n_thres * acc.bitwidth() <= 4096]
    return layer, folds


def thresh(rng: np.random.Generator) -> tuple[HwLayer, Fold]:
    layer, folds = _thresh_folds(rng)
    return layer, _pick(rng, folds)


def _thresh_folds(rng: np.random.Generator) -> tuple[Thresholding, list[Fold]]:
    c = int(_pick(rng, (4, 8, 16, 32, 64, 128, 256)))
    x = _pick(rng, (UINT(4), INT(4), INT(8), UINT(8), INT(12), INT(16)))
    t, out, bias = _activation(rng, x, c)
    if t is None:
        t, out, bias = _thresholds(rng, int(x.min()), int(x.max()), c, 3), UINT(2), 0
    layer = Thresholding("p", c, 16, in_dtype=x, out_dtype=out, thresholds=t, out_bias=bias)
    # at most 4096 threshold bits per word: wider ones are not a folding anyone would pick
    folds = [f for f in layer.fold_space() if f.pe * t.shape[1] * (x.bitwidth() + 2) <= 4096]
    return layer, folds


def _one_word(draw_folds: Callable) -> Callable[[np.random.Generator], tuple[HwLayer, Fold | None]]:
    """A generator drawing like `draw_folds` but only folds whose weight / threshold ROMs are a
    single word (PE = all output channels): the constant-operand logic of fully parallel layers."""

    def gen(rng: np.random.Generator) -> tuple[HwLayer, Fold | None]:
        layer, folds = draw_folds(rng)
        channels = layer.mh if isinstance(layer, MVTU) else layer.channels
        return layer, _pick(rng, [f for f in folds if f.pe == channels])

    return gen


def swu(rng: np.random.Generator) -> tuple[HwLayer, Fold]:
    c = int(_pick(rng, (1, 3, 4, 8, 16, 32, 64, 128)))
    size = int(_pick(rng, (4, 6, 8, 12, 16, 28, 32)))
    k = int(_pick(rng, (1, 2, 3, 3, 5)))
    k = min(k, size)
    stride = int(_pick(rng, (1, 1, 2)))
    pad = int(_pick(rng, (0, 0, k // 2)))
    dtype = _pick(rng, (BIPOLAR, UINT(2), UINT(4), INT(8)))
    dw = rng.random() < 0.25
    layer = SWU("p", dtype, c, size, size, (k, k), (stride, stride), (pad, pad, pad, pad), 0, "q", dw)
    simd = int(_pick(rng, [d for d in divisors(c) if d <= 32]))
    return layer, Fold(simd if dw else 1, 1 if dw else simd)


def maxpool(rng: np.random.Generator) -> tuple[HwLayer, Fold]:
    c = int(_pick(rng, (4, 8, 16, 32, 64, 128, 256)))
    size = int(_pick(rng, (4, 8, 16, 32)))
    dtype = _pick(rng, (BIPOLAR, UINT(2), UINT(4), INT(4), INT(8)))
    layer = MaxPoolLayer("p", dtype, c, size, size, int(_pick(rng, (2, 2, 3, 4))))
    return layer, _fold(rng, layer, 64)


def gap(rng: np.random.Generator) -> tuple[HwLayer, Fold]:
    c = int(_pick(rng, (4, 8, 16, 32, 64, 128, 256)))
    size = int(_pick(rng, (2, 4, 7, 8, 16)))
    x = _pick(rng, (UINT(2), UINT(4), INT(4), INT(8)))
    out = smallest_int_type(int(x.min()) * size * size, int(x.max()) * size * size)
    layer = GlobalPool("p", c, size * size, size, size, in_dtype=x, out_dtype=out)
    return layer, _fold(rng, layer, 64)


def add(rng: np.random.Generator) -> tuple[HwLayer, Fold]:
    c = int(_pick(rng, (4, 8, 16, 32, 64, 128)))
    a, b = _pick(rng, (UINT(2), UINT(4), INT(4), INT(8))), _pick(rng, (UINT(2), UINT(4), INT(4), INT(8)))
    am, bm = int(_pick(rng, (1, 1, 2, 4))), int(_pick(rng, (1, 1, 2)))
    out = smallest_int_type(
        min(am * int(a.min()) + bm * int(b.min()), 0), am * int(a.max()) + bm * int(b.max())
    )
    layer = AddStreams("p", c, 16, a_dtype=a, b_dtype=b, out_dtype=out, a_mul=am, b_mul=bm)
    return layer, _fold(rng, layer, 64)


def concat(rng: np.random.Generator) -> tuple[HwLayer, Fold]:
    c0, c1 = int(_pick(rng, (4, 8, 16, 32, 64))), int(_pick(rng, (4, 8, 16, 32, 64)))
    layer = Concat("p", c0 + c1, 16, c0=c0, dtype=_pick(rng, (BIPOLAR, UINT(2), UINT(4), INT(8))))
    return layer, _fold(rng, layer, 64)


def labelselect(rng: np.random.Generator) -> tuple[HwLayer, Fold]:
    n = int(_pick(rng, (10, 16, 32, 100, 128, 1000)))
    x = _pick(rng, (UINT(4), INT(8), INT(12), INT(16)))
    k = int(_pick(rng, (1, 1, 1, 2, 3)))
    layer = LabelSelect("p", n, 1, k=k, in_dtype=x, out_dtype=UINT(max(1, math.ceil(math.log2(n)))))
    return layer, _fold(rng, layer, 10)


def dwc(rng: np.random.Generator) -> tuple[HwLayer, Fold]:
    base = int(_pick(rng, (1, 2, 3, 4, 8)))
    a, b = int(_pick(rng, (1, 2, 3, 4, 6, 8, 16, 32))), int(_pick(rng, (1, 2, 3, 4, 8, 16, 32)))
    while b == a:  # the compiler puts a width converter only between different widths
        b = int(_pick(rng, (1, 2, 3, 4, 8, 16, 32)))
    frame = base * a * b * int(_pick(rng, (1, 2, 4)))
    return DWC("p", base * a, base * b, frame), Fold()


def fifo(rng: np.random.Generator) -> tuple[HwLayer, Fold]:
    width = int(_pick(rng, (1, 2, 4, 8, 16, 18, 32, 36, 64, 72, 128, 256)))
    depth = int(_pick(rng, (2, 4, 8, 16, 32, 33, 64, 65, 128, 256, 512, 1024, 2048, 4096)))
    return FIFO("p", width, depth, depth), Fold()


def dup(rng: np.random.Generator) -> tuple[HwLayer, Fold]:
    """A fork of a stream of any width from 1 to 512 bits, log-uniform (lanes times bits can be
    any width)."""
    width = int(np.round(2 ** rng.uniform(0, 9)))
    return Dup("p", "t", width, 16), Fold()


#: sweep -> generator of (layer, fold) drawing from its module's parameter space; a sweep named
#: "module:variant" samples one variant of the module (with coefficients of its own) more
#: densely, one named "module@focus" a corner of the module's space (fit points only)
GENERATORS: dict[str, Callable[[np.random.Generator], tuple[HwLayer, Fold]]] = {
    "qnngen_mvtu": mvtu, "qnngen_mvtu:xnor": mvtu_xnor, "qnngen_vvu": vvu, "qnngen_thresh": thresh, "qnngen_swu": swu,
    "qnngen_mvtu@one_word": _one_word(_mvtu_folds), "qnngen_vvu@one_word": _one_word(_vvu_folds),
    "qnngen_thresh@one_word": _one_word(_thresh_folds),
    "qnngen_maxpool": maxpool, "qnngen_gap": gap, "qnngen_add": add, "qnngen_concat": concat,
    "qnngen_labelselect": labelselect, "qnngen_dwc": dwc, "qnngen_fifo": fifo, "qnngen_dup": dup,
}


def module_of(sweep: str) -> str:
    """The RTL module a sweep draws ("module", "module:variant" or "module@focus")."""
    return sweep.split("@")[0].split(":")[0]


def coefficient_set(sweep: str) -> str:
    """The coefficients a sweep's points fit: the module's, or its variant's."""
    return sweep.split("@")[0]


def draw_layer(sweep: str, index: int, seed: int = 0, attempt: int = 0) -> tuple[HwLayer, Fold | None]:
    """One attempt at point `index` of a sweep: its layer and fold, the same for the same
    arguments. The layer, contents included, is drawn before its fold, which is None when the
    generator's caps leave the layer none (then the point is the next attempt's)."""
    rng = np.random.default_rng([seed, index, sum(sweep.encode())] + ([attempt] if attempt else []))
    layer, fold = GENERATORS[sweep](rng)
    if fold is not None:
        layer.check(fold)
    return layer, fold


def draw_point(sweep: str, index: int, seed: int = 0) -> tuple[HwLayer, Fold]:
    """Point `index` of a sweep: the first attempt that draws a layer with a fold within the
    caps."""
    for attempt in range(100):
        layer, fold = draw_layer(sweep, index, seed, attempt)
        if fold is not None:
            return layer, fold
    raise ValueError(f"{sweep} point {index}: no fold within the caps in 100 attempts")


def draw(sweep: str, index: int, seed: int = 0) -> RtlInstance:
    """Point `index` of a sweep as the RTL instance the compiler would emit."""
    layer, fold = draw_point(sweep, index, seed)
    return layer.rtl(fold)


def synthesized_params(params: Mapping) -> dict:
    """The RTL parameters of a point less those naming files (what the sweep CSV records)."""
    return {k: v for k, v in params.items() if k not in FILE_PARAMS}


def point_key(module: str, params: Mapping, roms: Mapping[str, RomContents]) -> str:
    """What identifies a point to synthesis: its module, parameters (file names aside) and the
    contents of its ROMs. Two points with one key are one netlist."""
    text = json.dumps([module, synthesized_params(params)], sort_keys=True)
    digest = hashlib.sha256(text.encode())
    for name in sorted(roms):
        rom = roms[name]
        words = np.ascontiguousarray(rom.words, dtype=np.int64)
        digest.update(f"{name}:{rom.bits}:{rom.group}:{words.shape}".encode())
        digest.update(words.tobytes())
    return digest.hexdigest()


def drawn_key(sweep: str, index: int) -> str:
    """point_key of point `index` of a sweep, drawn (no synthesis)."""
    layer, fold = draw_point(sweep, index)
    return point_key(module_of(sweep), layer.rtl_params(fold), layer.rom_words(fold))
