"""What each HLS layer template needs: one frozen params dataclass per layer kind, made from the
layer's own RTL parameters and ROM contents by an emitter registered for the layer class."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..errors import UnsupportedError
from ..layers import (
    DWC, MVTU, SWU, VVU, AddStreams, Concat, Dup, Fold, GlobalPool, HwLayer, LabelSelect,
    MaxPoolLayer, Thresholding,
)
from .arrays import CArray, c_array


def clog2(n: int) -> int:
    """Bits of a counter holding 0 .. n - 1 (at least 1)."""
    return max(1, (n - 1).bit_length())


def elem_type(bits: int, signed: bool) -> str:
    """The ap type of one stream element: ap_int<bits> if signed, else ap_uint<bits>."""
    return f"ap_int<{bits}>" if signed else f"ap_uint<{bits}>"


@dataclass(frozen=True)
class Port:
    """One stream port of a layer function: beat width and beats per frame."""

    width: int
    beats: int


@dataclass(frozen=True)
class Mac:
    """Products and accumulation of an MVTU / VVU (as qnngen_mvtu.sv decodes its operands).

    product: "xnor" (both bipolar), "neg_w" (bipolar x: +-w), "neg_x" (bipolar w: +-x) or "mul";
    mul_impl is the BIND_OP implementation of a "mul" ("dsp" or "fabric")."""

    product: str
    in_bits: int
    x_type: str
    w_type: str
    prod_bits: int
    mul_impl: str
    acc_bits: int


@dataclass(frozen=True)
class Activation:
    """out = out_bias + #{k < n_thres : acc >= T[k]} in out_bits (n_thres = 0: out = acc)."""

    n_thres: int
    out_bias: int
    out_bits: int
    cnt_bits: int
    compare_bits: int


@dataclass(frozen=True)
class MvtuParams:
    """mvtu.h.j2: PE x SIMD matrix-vector-threshold unit."""

    name: str
    pe: int
    simd: int
    nf: int
    sf: int
    n_vectors: int
    pc_bits: int
    mac: Mac
    act: Activation
    in_width: int
    out_width: int


@dataclass(frozen=True)
class VvuParams:
    """vvu.h.j2: PE-channel depthwise vector-vector-threshold unit."""

    name: str
    pe: int
    cf: int
    k2: int
    n_vectors: int
    mac: Mac
    act: Activation
    in_width: int
    out_width: int


@dataclass(frozen=True)
class ThreshParams:
    """thresh.h.j2: multi-threshold activation on PE channels per beat."""

    name: str
    pe: int
    cf: int
    beats: int
    in_bits: int
    x_type: str
    act: Activation
    in_width: int
    out_width: int


@dataclass(frozen=True)
class SwuParams:
    """swu.h.j2: line-buffered sliding-window unit (im2col), SIMD channels per beat."""

    name: str
    simd: int
    bits: int
    cf: int
    ifm_h: int
    ifm_w: int
    k_h: int
    k_w: int
    k_max: int
    stride_h: int
    stride_w: int
    pad_top: int
    pad_left: int
    pad_value: int
    oh: int
    ow: int
    nr: int
    rowb: int
    win: int
    depthwise: bool
    width: int


@dataclass(frozen=True)
class MaxPoolParams:
    """maxpool.h.j2: K x K max pooling with stride K."""

    name: str
    simd: int
    bits: int
    elem: str
    cf: int
    ifm_h: int
    ifm_w: int
    k: int
    oh: int
    ow: int
    width: int


@dataclass(frozen=True)
class GapParams:
    """gap.h.j2: per-channel sum over the pixels of a frame."""

    name: str
    simd: int
    cf: int
    pixels: int
    in_bits: int
    out_bits: int
    in_elem: str
    sum_elem: str
    in_width: int
    out_width: int


@dataclass(frozen=True)
class AddParams:
    """add.h.j2: out = a_mul * a + b_mul * b + offset, two streams in lock-step."""

    name: str
    pe: int
    beats: int
    a_bits: int
    b_bits: int
    a_elem: str
    b_elem: str
    a_mul: int
    b_mul: int
    offset: int
    out_bits: int
    a_width: int
    b_width: int
    out_width: int


@dataclass(frozen=True)
class ConcatParams:
    """concat.h.j2: per pixel b0 beats of input 0, then b1 beats of input 1."""

    name: str
    pixels: int
    b0: int
    b1: int
    width: int


@dataclass(frozen=True)
class DupParams:
    """dup.h.j2: every beat to both outputs."""

    name: str
    beats: int
    width: int


@dataclass(frozen=True)
class LabelSelectParams:
    """labelselect.h.j2: indices of the k largest of n values, ties to the lower index."""

    name: str
    pe: int
    beats: int
    bits: int
    elem: str
    k: int
    out_bits: int
    in_width: int
    out_width: int


@dataclass(frozen=True)
class DwcParams:
    """dwc.h.j2: the same bit stream re-cut from in_width- to out_width-bit beats."""

    name: str
    in_width: int
    out_width: int
    in_beats: int
    out_beats: int
    buf_width: int


@dataclass(frozen=True)
class HlsStage:
    """One layer function: its template, params, constant arrays and stream ports."""

    name: str
    kind: str
    template: str
    params: Any
    arrays: tuple[CArray, ...]
    ins: tuple[Port, ...]
    outs: tuple[Port, ...]


Emitter = Callable[[Any, Fold], tuple[Any, tuple[CArray, ...]]]
_EMITTERS: dict[type, tuple[str, Emitter]] = {}


def emitter(layer_cls: type, template: str) -> Callable[[Emitter], Emitter]:
    """Register fn(layer, fold) -> (params, arrays) as the HLS emitter of layer_cls."""

    def register(fn: Emitter) -> Emitter:
        _EMITTERS[layer_cls] = (template, fn)
        return fn

    return register


def hls_stage(layer: HwLayer, fold: Fold) -> HlsStage:
    """The HLS function of `layer` at `fold`, from the emitter registered for its class."""
    found = next((_EMITTERS[c] for c in type(layer).__mro__ if c in _EMITTERS), None)
    if found is None:
        raise UnsupportedError(f"{layer.name}: the HLS backend has no template for a {layer.kind} layer")
    template, fn = found
    params, arrays = fn(layer, fold)
    ins = tuple(Port(layer.in_width(fold, k), layer.in_beats(fold, k)) for k in range(len(layer.in_ports)))
    outs = tuple(Port(layer.out_width(fold, k), layer.out_beats(fold, k)) for k in range(len(layer.out_ports)))
    return HlsStage(layer.name, layer.kind, template, params, arrays, ins, outs)


def _operand_type(bits: int, signed: int, bipolar: int) -> tuple[str, int]:
    """(ap type, decoded signed width) of an MVTU/VVU operand, as qnngen_mvtu.sv decodes it."""
    if bipolar:
        return "ap_uint<1>", 1
    return elem_type(bits, bool(signed)), bits if signed else bits + 1


def _mac(rp: dict) -> Mac:
    x_type, xd = _operand_type(rp["IN_BITS"], rp["IN_SIGNED"], rp["IN_BIPOLAR"])
    w_type, wd = _operand_type(rp["W_BITS"], rp["W_SIGNED"], rp["W_BIPOLAR"])
    if rp["IN_BIPOLAR"] and rp["W_BIPOLAR"]:
        product, pw = "xnor", 2
    elif rp["IN_BIPOLAR"]:
        product, pw = "neg_w", wd + 1
    elif rp["W_BIPOLAR"]:
        product, pw = "neg_x", xd + 1
    else:
        product, pw = "mul", xd + wd
    impl = "dsp" if rp["MUL_STYLE"] == "dsp" else "fabric"
    return Mac(product, rp["IN_BITS"], x_type, w_type, pw, impl, rp["ACC_BITS"])


def _activation(n_thres: int, out_bias: int, out_bits: int, compare_bits: int) -> Activation:
    return Activation(n_thres, out_bias, out_bits, clog2(n_thres + 1), compare_bits)


def _lanes_last(words: np.ndarray, lanes: int, per_lane: int) -> np.ndarray:
    """(depth, lanes * per_lane) ROM words as [lane][element][address] (partitioned by lane)."""
    return words.reshape(len(words), lanes, per_lane).transpose(1, 2, 0)


@emitter(MVTU, "mvtu.h.j2")
def _mvtu(layer: MVTU, fold: Fold) -> tuple[MvtuParams, tuple[CArray, ...]]:
    rp, roms = layer.rtl_params(fold), layer.rom_words(fold)
    pe, simd = fold.pe, fold.simd
    arrays = [c_array(f"{layer.name}_w", _lanes_last(roms["W_FILE"].words, pe, simd))]
    if "T_FILE" in roms:
        arrays.append(c_array(f"{layer.name}_t", _lanes_last(roms["T_FILE"].words, pe, layer.n_thres)))
    act = _activation(rp["N_THRES"], rp["OUT_BIAS"], rp["OUT_BITS"], rp["ACC_BITS"])
    params = MvtuParams(layer.name, pe, simd, layer.mh // pe, layer.mw // simd, layer.n_vectors,
                        clog2(simd + 1), _mac(rp), act, layer.in_width(fold), layer.out_width(fold))
    return params, tuple(arrays)


@emitter(VVU, "vvu.h.j2")
def _vvu(layer: VVU, fold: Fold) -> tuple[VvuParams, tuple[CArray, ...]]:
    rp, roms = layer.rtl_params(fold), layer.rom_words(fold)
    arrays = [c_array(f"{layer.name}_w", roms["W_FILE"].words.T)]
    if "T_FILE" in roms:
        arrays.append(c_array(f"{layer.name}_t", _lanes_last(roms["T_FILE"].words, fold.pe, layer.n_thres)))
    act = _activation(rp["N_THRES"], rp["OUT_BIAS"], rp["OUT_BITS"], rp["ACC_BITS"])
    params = VvuParams(layer.name, fold.pe, layer.channels // fold.pe, layer.k2, layer.n_vectors, _mac(rp), act,
                       layer.in_width(fold), layer.out_width(fold))
    return params, tuple(arrays)


@emitter(Thresholding, "thresh.h.j2")
def _thresh(layer: Thresholding, fold: Fold) -> tuple[ThreshParams, tuple[CArray, ...]]:
    rp, roms = layer.rtl_params(fold), layer.rom_words(fold)
    arrays = (c_array(f"{layer.name}_t", _lanes_last(roms["T_FILE"].words, fold.pe, rp["N_THRES"])),)
    compare = max(rp["T_BITS"], rp["IN_BITS"] + 1)
    act = _activation(rp["N_THRES"], rp["OUT_BIAS"], rp["OUT_BITS"], compare)
    params = ThreshParams(layer.name, fold.pe, rp["C"] // fold.pe, layer.in_beats(fold), rp["IN_BITS"],
                          elem_type(rp["IN_BITS"], bool(rp["IN_SIGNED"])), act, layer.in_width(fold),
                          layer.out_width(fold))
    return params, arrays


@emitter(SWU, "swu.h.j2")
def _swu(layer: SWU, fold: Fold) -> tuple[SwuParams, tuple[CArray, ...]]:
    rp = layer.rtl_params(fold)
    cf = rp["IFM_CH"] // rp["SIMD"]
    params = SwuParams(
        layer.name, rp["SIMD"], rp["BITS"], cf, rp["IFM_H"], rp["IFM_W"], rp["K_H"], rp["K_W"],
        max(rp["K_H"], rp["STRIDE_H"]), rp["STRIDE_H"], rp["STRIDE_W"], rp["PAD_TOP"], rp["PAD_LEFT"],
        rp["PAD_VALUE"], layer.out_h, layer.out_w, rp["K_H"] + rp["STRIDE_H"], rp["IFM_W"] * cf,
        rp["K_H"] * rp["K_W"] * cf, bool(rp["DEPTHWISE"]), layer.in_width(fold),
    )
    return params, ()


@emitter(MaxPoolLayer, "maxpool.h.j2")
def _maxpool(layer: MaxPoolLayer, fold: Fold) -> tuple[MaxPoolParams, tuple[CArray, ...]]:
    rp = layer.rtl_params(fold)
    params = MaxPoolParams(layer.name, rp["SIMD"], rp["BITS"], elem_type(rp["BITS"], bool(rp["SIGNED"])),
                           rp["C"] // rp["SIMD"], rp["IFM_H"], rp["IFM_W"], rp["K"], layer.out_h, layer.out_w,
                           layer.in_width(fold))
    return params, ()


@emitter(GlobalPool, "gap.h.j2")
def _gap(layer: GlobalPool, fold: Fold) -> tuple[GapParams, tuple[CArray, ...]]:
    rp = layer.rtl_params(fold)
    signed = bool(rp["IN_SIGNED"])
    params = GapParams(layer.name, rp["SIMD"], rp["C"] // rp["SIMD"], rp["IFM_H"] * rp["IFM_W"], rp["IN_BITS"],
                       rp["OUT_BITS"], elem_type(rp["IN_BITS"], signed), elem_type(rp["OUT_BITS"], signed),
                       layer.in_width(fold), layer.out_width(fold))
    return params, ()


@emitter(AddStreams, "add.h.j2")
def _add(layer: AddStreams, fold: Fold) -> tuple[AddParams, tuple[CArray, ...]]:
    rp = layer.rtl_params(fold)
    params = AddParams(
        layer.name, rp["PE"], layer.in_beats(fold), rp["A_BITS"], rp["B_BITS"],
        elem_type(rp["A_BITS"], bool(rp["A_SIGNED"])), elem_type(rp["B_BITS"], bool(rp["B_SIGNED"])),
        rp["A_MUL"], rp["B_MUL"], rp["OFFSET"], rp["OUT_BITS"], layer.in_width(fold, 0), layer.in_width(fold, 1),
        layer.out_width(fold),
    )
    return params, ()


@emitter(Concat, "concat.h.j2")
def _concat(layer: Concat, fold: Fold) -> tuple[ConcatParams, tuple[CArray, ...]]:
    rp = layer.rtl_params(fold)
    return ConcatParams(layer.name, rp["PIXELS"], rp["C0"] // rp["PE"], rp["C1"] // rp["PE"], layer.out_width(fold)), ()


@emitter(Dup, "dup.h.j2")
def _dup(layer: Dup, fold: Fold) -> tuple[DupParams, tuple[CArray, ...]]:
    return DupParams(layer.name, layer.in_beats(fold), layer.rtl_params(fold)["WIDTH"]), ()


@emitter(LabelSelect, "labelselect.h.j2")
def _labelselect(layer: LabelSelect, fold: Fold) -> tuple[LabelSelectParams, tuple[CArray, ...]]:
    rp = layer.rtl_params(fold)
    params = LabelSelectParams(layer.name, rp["PE"], layer.in_beats(fold), rp["BITS"],
                               elem_type(rp["BITS"], bool(rp["SIGNED"])), rp["K"], rp["OUT_BITS"],
                               layer.in_width(fold), layer.out_width(fold))
    return params, ()


@emitter(DWC, "dwc.h.j2")
def _dwc(layer: DWC, fold: Fold) -> tuple[DwcParams, tuple[CArray, ...]]:
    rp = layer.rtl_params(fold)
    params = DwcParams(layer.name, rp["IN_WIDTH"], rp["OUT_WIDTH"], layer.in_beats(fold), layer.out_beats(fold),
                       rp["IN_WIDTH"] + rp["OUT_WIDTH"])
    return params, ()
