"""Model definitions and input features of the example QNNs built by build_examples.py.

Needs torch and brevitas (the examples extra); build_examples.py reports a missing package.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from brevitas.nn import QuantConv2d, QuantIdentity, QuantLinear, QuantReLU
from brevitas.quant import Uint8ActPerTensorFloat
from brevitas.quant.binary import SignedBinaryActPerTensorConst, SignedBinaryWeightPerTensorConst
from torch import nn


class InputScale(nn.Module):
    """Map pixels in [0, 1] to [-1, 1] inside the graph (exports as Mul + Sub)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return x * 2 - 1."""
        return x * 2.0 - 1.0


class Flatten(nn.Module):
    """Flatten NCHW to (N, C*H*W) with a view (exports as Reshape)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return x viewed as (batch, -1)."""
        return x.view(x.shape[0], -1)


def tfc_features(images: np.ndarray) -> np.ndarray:
    """Upsample 8x8 digits x3 (nearest), zero-pad to 28x28 and flatten to 784."""
    up = np.stack([np.kron(img, np.ones((3, 3), dtype=img.dtype)) for img in images])
    return np.pad(up, ((0, 0), (2, 2), (2, 2))).reshape(len(images), 784)


def mlp_features(images: np.ndarray) -> np.ndarray:
    """Flatten raw 8x8 digits to 64 features."""
    return images.reshape(len(images), 64)


def cnv_features(images: np.ndarray) -> np.ndarray:
    """Upsample 8x8 digits x4 (nearest) to 32x32 and replicate to 3 channels (NCHW)."""
    up = np.stack([np.kron(img, np.ones((4, 4), dtype=img.dtype)) for img in images])
    return np.repeat(up[:, None], 3, axis=1)


def bipolar_act() -> QuantIdentity:
    """Return a sign activation (+-1, constant scale 1) that exports as BipolarQuant."""
    return QuantIdentity(act_quant=SignedBinaryActPerTensorConst)


def binary_linear(n_in: int, n_out: int) -> QuantLinear:
    """Return a bias-free QuantLinear with bipolar weights of constant scale 1."""
    return QuantLinear(n_in, n_out, bias=False, weight_quant=SignedBinaryWeightPerTensorConst,
                       weight_scaling_const=1.0)


def build_tfc_w1a1() -> nn.Module:
    """Build the FINN TFC-w1a1 style 784-64-64-64-10 binary MLP."""
    layers: list[nn.Module] = [InputScale(), bipolar_act()]
    for n_in, n_out in [(784, 64), (64, 64), (64, 64)]:
        layers += [binary_linear(n_in, n_out), nn.BatchNorm1d(n_out), bipolar_act()]
    layers.append(binary_linear(64, 10))
    return nn.Sequential(*layers)


def build_mlp_w2a2() -> nn.Module:
    """Build the 64-128-64-10 MLP with 2-bit weights, 2-bit ReLU acts and a float output bias."""
    layers: list[nn.Module] = [InputScale(), QuantIdentity(bit_width=8)]
    for n_in, n_out in [(64, 128), (128, 64)]:
        layers += [QuantLinear(n_in, n_out, bias=False, weight_bit_width=2),
                   nn.BatchNorm1d(n_out), QuantReLU(bit_width=2)]
    layers.append(QuantLinear(64, 10, bias=True, weight_bit_width=2))
    return nn.Sequential(*layers)


def binary_conv(n_in: int, n_out: int) -> QuantConv2d:
    """Return a bias-free 3x3 (stride 1, no padding) QuantConv2d with bipolar weights (scale 1)."""
    return QuantConv2d(n_in, n_out, 3, stride=1, padding=0, bias=False,
                       weight_quant=SignedBinaryWeightPerTensorConst, weight_scaling_const=1.0)


def w2_conv(n_in: int, n_out: int) -> QuantConv2d:
    """Return a bias-free 3x3 (stride 1, no padding) QuantConv2d with 2-bit narrow weights."""
    return QuantConv2d(n_in, n_out, 3, stride=1, padding=0, bias=False, weight_bit_width=2)


def w2_linear(n_in: int, n_out: int) -> QuantLinear:
    """Return a bias-free QuantLinear with 2-bit narrow weights (per-tensor float scale)."""
    return QuantLinear(n_in, n_out, bias=False, weight_bit_width=2)


def a2_signed_act() -> QuantIdentity:
    """Return a 2-bit signed activation (learned per-tensor scale), as in FINN's CNV-w2a2."""
    return QuantIdentity(bit_width=2)


# FINN CNV topology: 3x3 convs (no padding), "M" = MaxPool2d(2); 32->30->28->14->12->10->5->3->1.
CNV_CONVS: list[tuple[int, int] | str] = [(3, 16), (16, 16), "M", (16, 32), (32, 32), "M",
                                          (32, 64), (64, 64)]
CNV_LINEARS = [(64, 128), (128, 128)]


def build_cnv(conv: Callable[[int, int], nn.Module], linear: Callable[[int, int], nn.Module],
              act: Callable[[], nn.Module]) -> nn.Module:
    """Build the CNV net: 8-bit input quant, conv/BN/act (MaxPool after act), FC/BN/act, FC."""
    layers: list[nn.Module] = [InputScale(), QuantIdentity(bit_width=8)]
    for item in CNV_CONVS:
        if item == "M":
            layers.append(nn.MaxPool2d(2))
        else:
            layers += [conv(*item), nn.BatchNorm2d(item[1]), act()]
    layers.append(Flatten())
    for n_in, n_out in CNV_LINEARS:
        layers += [linear(n_in, n_out), nn.BatchNorm1d(n_out), act()]
    layers.append(linear(128, 10))
    return nn.Sequential(*layers)


def build_cnv_w1a1() -> nn.Module:
    """Build the FINN CNV-w1a1 style net (bipolar weights and activations)."""
    return build_cnv(binary_conv, binary_linear, bipolar_act)


def build_cnv_w2a2() -> nn.Module:
    """Build the CNV net with 2-bit narrow weights and 2-bit signed activations."""
    return build_cnv(w2_conv, w2_linear, a2_signed_act)


def w4_conv(n_in: int, n_out: int, kernel: int) -> QuantConv2d:
    """Return a bias-free stride-1 'same' QuantConv2d with 4-bit narrow per-tensor weights."""
    return QuantConv2d(n_in, n_out, kernel, stride=1, padding=kernel // 2, bias=False,
                       weight_bit_width=4)


def a4_relu() -> QuantReLU:
    """Return a 4-bit unsigned ReLU activation (learned per-tensor scale)."""
    return QuantReLU(bit_width=4)


class ResidualBlock(nn.Module):
    """Basic block: act(bn2(conv2(act(bn1(conv1(x))))) + x), 3x3 'same' convs, w4a4.

    Both Add operands go through the same 4-bit signed QuantIdentity instance (one learned scale),
    so the exported Add sums two Quant outputs of bit-identical scale.
    """

    def __init__(self, channels: int) -> None:
        """Create the two conv/BN stages, the shared Add quantizer and the output act."""
        super().__init__()
        self.conv1 = w4_conv(channels, channels, 3)
        self.bn1 = nn.BatchNorm2d(channels)
        self.act1 = a4_relu()
        self.conv2 = w4_conv(channels, channels, 3)
        self.bn2 = nn.BatchNorm2d(channels)
        self.add_quant = QuantIdentity(bit_width=4)
        self.act_out = a4_relu()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the block output (quantized by the 4-bit output ReLU)."""
        y = self.bn2(self.conv2(self.act1(self.bn1(self.conv1(x)))))
        return self.act_out(self.add_quant(y) + self.add_quant(x))


def build_resnet_w4a4() -> nn.Module:
    """Build the small w4a4 ResNet: stem, MaxPool, 2 residual blocks, MaxPool, 1x1 conv, GAP, FC."""
    return nn.Sequential(
        InputScale(), QuantIdentity(bit_width=8),
        w4_conv(3, 16, 3), nn.BatchNorm2d(16), a4_relu(), nn.MaxPool2d(2),
        ResidualBlock(16), ResidualBlock(16), nn.MaxPool2d(2),
        w4_conv(16, 32, 1), nn.BatchNorm2d(32), a4_relu(),
        nn.AdaptiveAvgPool2d(1), QuantIdentity(act_quant=Uint8ActPerTensorFloat, bit_width=4),
        Flatten(), QuantLinear(32, 10, bias=True, weight_bit_width=4))
