"""What an op becomes in generated C: one kernel call with a constant parameter struct."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Lowered:
    kernel: str            # C function, e.g. "tc_conv2d_s8"
    params_type: str       # C struct type, e.g. "tc_conv2d_params"
    params: dict           # struct field -> int | float | str (a C expression)
    arrays: dict           # struct field -> np.ndarray, emitted as a const array in flash;
                           #   the field gets a pointer to it (C type from the dtype)
    inputs: list           # activation tensor indices, in the order the kernel reads them
    output: int            # the single output tensor index
    scratch_bytes: int = 0  # temporary bytes needed during the call (the planner provides them)
    in_place: bool = False  # RESHAPE-like: output aliases input 0, no kernel call
    stream: tuple | None = None  # (input, output) bytes per pixel when output pixel p depends on
                                 # input pixel p alone (planner.STREAMING_KERNELS may share memory)


@dataclass
class LayerInfo:
    name: str
    op: str
    macs: int
    output_bytes: int
    weights: str = ""              # weight format (native/weights.py); "" without weights
    weight_bytes: int = 0          # flash of the weight arrays in that format
    dense_weight_bytes: int = 0    # what the dense kernel would store
    weight_scratch_bytes: int = 0  # huffman: arena RAM its decoder and decoded weights take


@dataclass
class NativeInfo:
    layers: list = field(default_factory=list)   # LayerInfo per op, graph order
    arena_bytes: int = 0                         # static activation plan (graph input included)
    io_bytes: int = 0                            # caller-owned buffers: the output
    flash_bytes: int = 0                         # constant arrays (weights, biases, multipliers)
    conv_weights: str = ""                       # the CONV_2D weight layout chosen, and why

    @property
    def macs(self) -> int:
        return sum(layer.macs for layer in self.layers)
