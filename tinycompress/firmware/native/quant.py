"""Fixed-point parameters computed exactly as TFLite / TFLM compute them in Prepare.

Bit-exactness depends on doing the same float or double arithmetic in the same order as
the C++ reference: every function notes which precision the reference uses.
"""
from __future__ import annotations

import math

import numpy as np

INT8_MIN, INT8_MAX = -128, 127


def tflite_round(x: float) -> int:
    """std::round: half away from zero."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def requantize(x, multiplier: int, shift: int) -> np.ndarray:
    """TFLite MultiplyByQuantizedMultiplier on int32 values x (tc_requantize in
    tc_runtime.h), elementwise in exact int64: a saturating rounding doubling high
    multiply, then a rounding right shift (ties away from zero)."""
    left, right = max(shift, 0), max(-shift, 0)
    a = ((np.asarray(x, dtype=np.int64) << left) + (1 << 31)) % (1 << 32) - (1 << 31)
    ab = a * np.int64(multiplier)
    total = ab + np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    high = np.where(total >= 0, total >> 31, -((-total) >> 31))     # C division truncates
    high = np.where((a == -(1 << 31)) & (multiplier == -(1 << 31)), (1 << 31) - 1, high)
    mask = (1 << right) - 1
    threshold = (mask >> 1) + (high < 0)
    return (high >> right) + ((high & mask) > threshold)


def quantize_multiplier(real: float) -> tuple[int, int]:
    """TFLite QuantizeMultiplier: real ~= multiplier * 2^(shift - 31), multiplier Q31 in [2^30, 2^31)."""
    real = float(real)
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)
    q_fixed = tflite_round(q * (1 << 31))
    if q_fixed == (1 << 31):        # q rounded up to 1.0
        q_fixed //= 2
        shift += 1
    if shift < -31:                 # everything would shift out: flush to zero
        return 0, 0
    return int(q_fixed), int(shift)


def quantize_multiplier_greater_than_one(real: float) -> tuple[int, int]:
    multiplier, shift = quantize_multiplier(real)
    if shift < 0:
        raise ValueError(f"multiplier {real} is below one")
    return multiplier, shift


def quantize_multipliers(reals) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel QuantizeMultiplier: (int32 multipliers, int32 shifts)."""
    pairs = [quantize_multiplier(float(r)) for r in np.asarray(reals, dtype=np.float64).ravel()]
    return (np.array([p[0] for p in pairs], dtype=np.int32),
            np.array([p[1] for p in pairs], dtype=np.int32))


def calculate_input_radius(input_integer_bits: int, input_left_shift: int,
                           total_signed_bits: int = 31) -> int:
    """TFLite CalculateInputRadius (double arithmetic, floored)."""
    max_input_rescaled = (1.0 * ((1 << input_integer_bits) - 1)
                          * (1 << (total_signed_bits - input_integer_bits))
                          / (1 << input_left_shift))
    return int(math.floor(max_input_rescaled))


def _quantize_float(value: float, scale: float, zero_point: int) -> int:
    # TFLM: zero_point + static_cast<int32_t>(TfLiteRound(f / scale)) in float (not double)
    return int(zero_point) + tflite_round(float(np.float32(value) / np.float32(scale)))


# Activation -> (lower real bound or None, upper real bound or None).
ACTIVATION_BOUNDS = {
    "NONE": (None, None),
    "RELU": (0.0, None),
    "RELU6": (0.0, 6.0),
    "RELU_N1_TO_1": (-1.0, 1.0),
}


def activation_range(activation: str, scale: float, zero_point: int,
                     qmin: int = INT8_MIN, qmax: int = INT8_MAX) -> tuple[int, int]:
    """TFLM CalculateActivationRangeQuantized for an int8 output with this scale/zero point."""
    if activation not in ACTIVATION_BOUNDS:
        raise ValueError(f"unsupported fused activation {activation}")
    lo, hi = ACTIVATION_BOUNDS[activation]
    act_min = qmin if lo is None else max(qmin, _quantize_float(lo, scale, zero_point))
    act_max = qmax if hi is None else min(qmax, _quantize_float(hi, scale, zero_point))
    return act_min, act_max


def tensor_scale(tensor) -> float:
    return float(tensor.quant.scale[0])


def tensor_zero_point(tensor) -> int:
    return int(tensor.quant.zero_point[0])
