"""Which arithmetic to run in: bfloat16 where the CPU does it natively, float32 elsewhere.

On a CPU with AVX512_BF16 or AMX, oneDNN runs bfloat16 convolutions faster
than float32 ones; elsewhere bfloat16 is emulated and slower, and GPUs keep
their own paths (--mixed_precision). Weights always stay float32.
"""

from ops.cpuinfo import CPUINFO, cpuinfo_line

BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_flags(cpuinfo=None):
    """The CPU's feature flags as the kernel reports them (empty where there is no /proc)."""
    line = cpuinfo_line("flags", cpuinfo or CPUINFO)
    return set(line.split(":", 1)[1].split()) if line else set()


def resolve(precision, has_gpu, flags=None):
    """'float32' or 'bfloat16' for a `--precision` of auto, float32 or bfloat16.

    auto is bfloat16 only on a CPU-only machine whose CPU reports a native bfloat16 flag.
    """
    if precision != "auto":
        return precision
    flags = cpu_flags() if flags is None else flags
    return "bfloat16" if not has_gpu and flags & set(BF16_CPU_FLAGS) else "float32"


def keras_policy(precision, mixed_float16=False):
    """The Keras dtype policy of a train step: mixed, with float32 weights, or float32."""
    if mixed_float16:
        return "mixed_float16"
    return "mixed_bfloat16" if precision == "bfloat16" else "float32"
