# SPDX-License-Identifier: Apache-2.0
"""Each HLS layer template alone, compiled with g++ (once, under -fsanitize=address,undefined,
all layers in one translation unit) and run on random frames, against the layer's numpy
reference, over the PE/SIMD/bit-width combinations of the RTL modules' tests (tests/rtl)."""

from __future__ import annotations

import math
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from qnngen.hls import build_csim, hls_stage, render_layer_testbench, render_stage
from qnngen.ir import BIPOLAR, INT, UINT, DataType, smallest_int_type
from qnngen.layers import (
    DWC, MVTU, SWU, VVU, AddStreams, Concat, Dup, Fold, GlobalPool, HwLayer, LabelSelect, MaxPoolLayer,
    Thresholding,
)
from qnngen.packing import pack_beats, unpack_beats
from qnngen.resources import data_dir

FRAMES = 3
B = BIPOLAR


@dataclass(frozen=True)
class LayerCase:
    """A layer at a fold, input values per port and the element type of each port."""

    layer: HwLayer
    fold: Fold
    ins: tuple[np.ndarray, ...]
    in_types: tuple[DataType, ...]
    out_types: tuple[DataType, ...]


def _values(rng: np.random.Generator, t: DataType, shape: tuple[int, ...]) -> np.ndarray:
    if t == BIPOLAR:
        return 2 * rng.integers(0, 2, shape) - 1
    return rng.integers(int(t.min()), int(t.max()) + 1, shape)


def _thresholds(rng: np.random.Generator, rows: int, n: int, lo: int, hi: int) -> np.ndarray:
    return np.sort(rng.integers(lo, hi + 1, (rows, n)), axis=1)


def _act_type(n_thres: int, out_bias: int, bipolar: bool, acc: DataType) -> DataType:
    if n_thres == 0:
        return acc
    return BIPOLAR if bipolar else smallest_int_type(out_bias, out_bias + n_thres)


def _dot(mw: int, x: DataType, w: DataType) -> tuple[DataType, int]:
    """A signed accumulator type holding every dot product of mw terms, and its bound."""
    bound = mw * max(abs(int(x.min())), int(x.max())) * max(abs(int(w.min())), int(w.max()))
    return INT(int(bound).bit_length() + 1), bound


def mvtu(name, mw, mh, pe, simd, x, w, n_thres=0, out_bias=0, n_vectors=2, seed=0) -> LayerCase:
    rng = np.random.default_rng(seed)
    acc, bound = _dot(mw, x, w)
    thr = _thresholds(rng, mh, n_thres, -bound // 2, bound // 2) if n_thres else None
    out = _act_type(n_thres, out_bias, x == B and w == B and n_thres == 1, acc)
    layer = MVTU(name, x, w, acc, out, _values(rng, w, (mh, mw)), thr, 0 if out == B else out_bias, n_vectors)
    return LayerCase(layer, Fold(pe, simd), (_values(rng, x, (FRAMES, n_vectors * mw)),), (x,), (out,))


def vvu(name, c, k2, pe, x, w, pixels=2, n_thres=0, out_bias=0, seed=0) -> LayerCase:
    rng = np.random.default_rng(seed)
    acc, bound = _dot(k2, x, w)
    thr = _thresholds(rng, c, n_thres, -bound, bound) if n_thres else None
    out = _act_type(n_thres, out_bias, x == B and w == B and n_thres == 1, acc)
    layer = VVU(name, x, w, acc, out, _values(rng, w, (c, k2)), pixels, thr, 0 if out == B else out_bias)
    return LayerCase(layer, Fold(pe, 1), (_values(rng, x, (FRAMES, pixels * k2 * c)),), (x,), (out,))


def thresh(name, c, pe, t, n_thres, out_bias=0, spread=0, pixels=3, seed=0) -> LayerCase:
    rng = np.random.default_rng(seed)
    thr = _thresholds(rng, c, n_thres, int(t.min()) - spread, int(t.max()) + 1 + spread)
    out = smallest_int_type(out_bias, out_bias + n_thres)
    layer = Thresholding(name, c, pixels, in_dtype=t, out_dtype=out, thresholds=thr, out_bias=out_bias)
    return LayerCase(layer, Fold(pe, 1), (_values(rng, t, (FRAMES, pixels * c)),), (t,), (out,))


def swu(name, ch, h, w, kh, kw, sh, sw, pads, simd, t, pad_value, depthwise=False, seed=0) -> LayerCase:
    rng = np.random.default_rng(seed)
    layer = SWU(name, t, ch, h, w, (kh, kw), (sh, sw), pads, pad_value, "next", depthwise)
    return LayerCase(layer, Fold(1, simd), (_values(rng, t, (FRAMES, h * w * ch)),), (t,), (t,))


def maxpool(name, c, h, w, k, simd, t, seed=0) -> LayerCase:
    rng = np.random.default_rng(seed)
    return LayerCase(MaxPoolLayer(name, t, c, h, w, k), Fold(simd, 1), (_values(rng, t, (FRAMES, h * w * c)),),
                     (t,), (t,))


def gap(name, c, h, w, simd, t, spare=0, seed=0) -> LayerCase:
    rng = np.random.default_rng(seed)
    out = smallest_int_type(int(t.min()) * h * w, int(t.max()) * h * w)
    out = INT(out.bitwidth() + spare) if out.signed() else UINT(out.bitwidth() + spare)
    layer = GlobalPool(name, c, h * w, in_h=h, in_w=w, in_dtype=t, out_dtype=out)
    return LayerCase(layer, Fold(simd, 1), (_values(rng, t, (FRAMES, h * w * c)),), (t,), (out,))


def add(name, pe, a, b, a_mul, b_mul, pixels=4, seed=0) -> LayerCase:
    rng = np.random.default_rng(seed)
    ends = [a_mul * int(a.min()), a_mul * int(a.max()), b_mul * int(b.min()), b_mul * int(b.max())]
    out = smallest_int_type(min(ends[:2]) + min(ends[2:]), max(ends[:2]) + max(ends[2:]))
    layer = AddStreams(name, 2 * pe, pixels, a_dtype=a, b_dtype=b, out_dtype=out, a_mul=a_mul, b_mul=b_mul)
    ins = (_values(rng, a, (FRAMES, pixels * 2 * pe)), _values(rng, b, (FRAMES, pixels * 2 * pe)))
    return LayerCase(layer, Fold(pe, 1), ins, (a, b), (out,))


def concat(name, pixels, c0, c1, pe, t, seed=0) -> LayerCase:
    rng = np.random.default_rng(seed)
    ins = (_values(rng, t, (FRAMES, pixels * c0)), _values(rng, t, (FRAMES, pixels * c1)))
    return LayerCase(Concat(name, c0 + c1, pixels, c0=c0, dtype=t), Fold(pe, 1), ins, (t, t), (t,))


def labelselect(name, n, pe, k, t, spare=0, seed=0) -> LayerCase:
    rng = np.random.default_rng(seed)
    out = UINT(max(1, (n - 1).bit_length()) + spare)
    layer = LabelSelect(name, n, 1, k=k, in_dtype=t, out_dtype=out)
    return LayerCase(layer, Fold(pe, 1), (_values(rng, t, (FRAMES, n)),), (t,), (out,))


def dup(name, width, elem_bits, beats=5, seed=0) -> LayerCase:
    rng = np.random.default_rng(seed)
    t = UINT(elem_bits)
    x = _values(rng, t, (FRAMES, beats * width // elem_bits))
    return LayerCase(Dup(name, "x", width, beats), Fold(), (x,), (t,), (t, t))


def dwc(name, in_bits, out_bits, elem_bits, seed=0) -> LayerCase:
    rng = np.random.default_rng(seed)
    t, frame_bits = UINT(elem_bits), 2 * math.lcm(in_bits, out_bits)
    x = _values(rng, t, (FRAMES, frame_bits // elem_bits))
    return LayerCase(DWC(name, in_bits, out_bits, frame_bits), Fold(), (x,), (t,), (t,))


CASES = [
    # tests/rtl/test_mvtu.py (the "dsp" cases differ only in the BIND_OP implementation here)
    mvtu("mvtu_serial_xnor", 16, 8, 1, 1, B, B, n_thres=1),
    mvtu("mvtu_parallel_uint_int", 12, 6, 6, 12, UINT(4), INT(3)),
    mvtu("mvtu_mixed_xnor_signed_out", 32, 16, 4, 8, B, B, n_thres=3, out_bias=-1),
    mvtu("mvtu_bipolar_x_int_w", 24, 12, 3, 4, B, INT(4), n_thres=7, out_bias=-4),
    mvtu("mvtu_int_x_bipolar_w_nf1", 16, 8, 8, 2, INT(4), B),
    mvtu("mvtu_odd_int_int_dsp", 15, 6, 3, 5, INT(4), INT(3), n_thres=15, out_bias=-8),
    mvtu("mvtu_uint_int_thres", 48, 8, 2, 16, UINT(2), INT(2), n_thres=3),
    mvtu("mvtu_sf1_int8_dsp", 8, 16, 2, 8, UINT(8), INT(8)),
    mvtu("mvtu_int_uint_lut_x", 12, 4, 2, 3, INT(3), UINT(5), n_thres=3, out_bias=-1),
    # tests/rtl/test_vvu.py
    vvu("vvu_pe1_xnor_k9", 4, 9, 1, B, B, pixels=3, n_thres=1),
    vvu("vvu_pec_uint_int_k9", 6, 9, 6, UINT(4), INT(3), pixels=4),
    vvu("vvu_int_int_thres_neg", 8, 9, 2, INT(4), INT(3), 3, 3, out_bias=-2),
    vvu("vvu_int_uint_lut_x", 4, 4, 2, INT(2), UINT(4), pixels=3),
    vvu("vvu_k1_bip_int_thres", 6, 1, 3, B, INT(4), 5, n_thres=7, out_bias=-4),
    vvu("vvu_k1_pe1_int_bip", 3, 1, 1, INT(3), B, pixels=4),
    # tests/rtl/test_thresh.py
    thresh("thresh_uint4_pe1", 4, 1, UINT(4), 3),
    thresh("thresh_int6_pe3_signed_out", 9, 3, INT(6), 7, out_bias=-4),
    thresh("thresh_c1_int8_n15", 1, 1, INT(8), 15, out_bias=-8),
    thresh("thresh_uint1_pe_c", 8, 8, UINT(1), 2),
    thresh("thresh_wide_thresholds", 6, 2, UINT(3), 4, out_bias=-2, spread=1000),
    thresh("thresh_bipolar_in", 4, 2, B, 1),
    # tests/rtl/test_swu.py
    swu("swu_k3_same_simd1", 4, 5, 7, 3, 3, 1, 1, (1, 1, 1, 1), 1, UINT(4), 5),
    swu("swu_k3x2_s2x1_asym", 6, 7, 9, 3, 2, 2, 1, (2, 0, 1, 3), 3, INT(5), -3),
    swu("swu_k1_s2_c1", 1, 7, 5, 1, 1, 2, 2, (0, 0, 0, 0), 1, UINT(1), 0),
    swu("swu_k_full_image", 3, 4, 5, 4, 5, 1, 1, (0, 0, 0, 0), 3, INT(8), 0),
    swu("swu_k2_s2_balanced", 2, 7, 9, 2, 2, 2, 2, (0, 0, 0, 0), 2, INT(2), 0),
    swu("swu_k3_valid_c8", 8, 6, 6, 3, 3, 1, 1, (0, 0, 0, 0), 4, UINT(3), 0),
    swu("swu_dw_k3_same_cf2", 4, 5, 6, 3, 3, 1, 1, (1, 1, 1, 1), 2, INT(4), -5, True),
    swu("swu_dw_k3x2_s2x1", 6, 7, 9, 3, 2, 2, 1, (2, 0, 1, 3), 3, INT(5), -3, True),
    swu("swu_dw_k_full_simd1", 3, 4, 5, 4, 5, 1, 1, (0, 0, 0, 0), 1, UINT(3), 0, True),
    # tests/rtl/test_maxpool.py
    maxpool("maxpool_k2_simd1_uint4", 4, 6, 8, 2, 1, UINT(4)),
    maxpool("maxpool_k3_crop_signed", 6, 7, 8, 3, 3, INT(5)),
    maxpool("maxpool_k2_bipolar_simd_c", 8, 5, 5, 2, 8, B),
    maxpool("maxpool_k2_c1_int8", 1, 4, 6, 2, 1, INT(8)),
    maxpool("maxpool_k4_single_window", 2, 4, 5, 4, 1, INT(3)),
    # tests/rtl/test_gap.py
    gap("gap_c4_simd1_uint4", 4, 5, 7, 1, UINT(4)),
    gap("gap_simd_c_int5", 8, 3, 5, 8, INT(5)),
    gap("gap_c1_int8_wide", 1, 4, 6, 1, INT(8), spare=5),
    gap("gap_n1_simd2_int3", 6, 1, 1, 2, INT(3)),
    gap("gap_bin_odd_simd5", 10, 7, 9, 5, UINT(1)),
    # tests/rtl/test_add.py (a bipolar operand gives the nonzero OFFSET)
    add("add_pe1_uint4_uint4", 1, UINT(4), UINT(4), 1, 1),
    add("add_pe3_int3_uint5_neg", 3, INT(3), UINT(5), -3, 2),
    add("add_pe4_bipolar_int8", 4, B, INT(8), 5, -1),
    add("add_pe3_uint16_int12", 3, UINT(16), INT(12), 3, -7),
    add("add_unused_wide_a", 2, INT(10), UINT(2), 0, 1),
    # tests/rtl/test_concat.py
    concat("concat_pe1_c3_c5", 4, 3, 5, 1, UINT(4)),
    concat("concat_pe2_c8_c4", 3, 8, 4, 2, INT(3)),
    concat("concat_pe4_c4_c12_uint8", 2, 4, 12, 4, UINT(8)),
    # tests/rtl/test_labelselect.py
    labelselect("labelselect_n10_pe1_k1_int8", 10, 1, 1, INT(8)),
    labelselect("labelselect_n10_pe5_k3_uint4", 10, 5, 3, UINT(4)),
    labelselect("labelselect_n7_pe7_k7_int3", 7, 7, 7, INT(3)),
    labelselect("labelselect_ties_n16_pe4_k5_uint2", 16, 4, 5, UINT(2), spare=2),
    labelselect("labelselect_ties_n6_pe2_k4_int1", 6, 2, 4, INT(1)),
    # tests/rtl/test_dup.py, tests/rtl/test_dwc.py
    dup("dup_w1", 1, 1), dup("dup_w70", 70, 10), dup("dup_w1024", 1024, 32),
    *(dwc(f"dwc_{i}to{o}_e{e}", i, o, e) for i, o, e in
      [(6, 4, 2), (4, 6, 2), (8, 2, 2), (2, 8, 2), (1, 3, 1), (784, 16, 8), (5, 5, 5)]),
]


def _codes(values: np.ndarray, t: DataType) -> np.ndarray:
    return (values > 0).astype(np.int64) if t == BIPOLAR else values


def _stream_order(case: LayerCase, values: np.ndarray, output: bool) -> np.ndarray:
    """Element order on the stream: a depthwise window stream (into a VVU, out of a depthwise
    SWU) is (group, k, lane) where the references use (k, channel)."""
    layer = case.layer
    if (isinstance(layer, VVU) and not output) or (isinstance(layer, SWU) and layer.depthwise and output):
        channels, k2 = (layer.channels, layer.k2) if isinstance(layer, VVU) else (
            layer.channels, layer.kernel[0] * layer.kernel[1])
        lanes = case.fold.pe if isinstance(layer, VVU) else case.fold.simd
        v = values.reshape(len(values), -1, k2, channels // lanes, lanes)
        return v.transpose(0, 1, 3, 2, 4).reshape(len(values), -1)
    return values


def _pack(values: np.ndarray, t: DataType, width: int) -> np.ndarray:
    bits = t.bitwidth()
    return pack_beats(_codes(values, t), bits, width // bits)


@pytest.fixture(scope="module")
def layer_tb(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """All cases' functions and the layer testbench, built once with the sanitizers, and run:
    the folder holding every NAME_out<k>.npy, and the build log."""
    if shutil.which("g++") is None:
        pytest.fail("g++ is needed for the HLS C simulation tests")
    work = tmp_path_factory.mktemp("hls_layers")
    stages = [hls_stage(c.layer, c.fold) for c in CASES]
    for stage in stages:
        for name, text in render_stage(stage).items():
            (work / name).write_text(text)
    for name in ("qnngen_types.h", "qnngen_npy.h"):
        shutil.copyfile(data_dir("hls_templates") / name, work / name)
    (work / "layer_tb.cpp").write_text(render_layer_testbench(stages))
    exe, _ = build_csim([work / "layer_tb.cpp"], work, work / "build", sanitize=True)
    data = work / "data"
    data.mkdir()
    for case, stage in zip(CASES, stages):
        for k, (values, t, port) in enumerate(zip(case.ins, case.in_types, stage.ins)):
            np.save(data / f"{stage.name}_in{k}.npy", _pack(_stream_order(case, values, False), t, port.width))
    proc = subprocess.run([str(exe), str(data)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return data, (exe.parent / "build.log").read_text()


def test_layers_compile_without_warnings(layer_tb: tuple[Path, str]) -> None:
    assert "warning" not in layer_tb[1], layer_tb[1]


@pytest.mark.parametrize("case", CASES, ids=[c.layer.name for c in CASES])
def test_layer_matches_reference(case: LayerCase, layer_tb: tuple[Path, str]) -> None:
    stage = hls_stage(case.layer, case.fold)
    expected = case.layer.execute(*case.ins)
    expected = expected if isinstance(expected, tuple) else (expected,)
    for k, (want, t, port) in enumerate(zip(expected, case.out_types, stage.outs)):
        words = np.load(layer_tb[0] / f"{stage.name}_out{k}.npy")
        bits = t.bitwidth()
        codes = unpack_beats(words, bits, port.width // bits, t.signed() and t != BIPOLAR)
        got = 2 * codes - 1 if t == BIPOLAR else codes
        np.testing.assert_array_equal(got, _stream_order(case, np.asarray(want, np.int64), True), err_msg=f"port {k}")


def test_every_layer_kind_is_covered() -> None:
    from qnngen.hls.params import _EMITTERS

    assert {type(c.layer) for c in CASES} == set(_EMITTERS)
