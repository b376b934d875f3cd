"""bfloat16 only where the CPU has it natively; float32 on request, and weights always float32."""

import dataclasses

import keras
import numpy as np
import pytest

from dcgan.modeling import precision
from dcgan.utils.files import list_images
from dcgan.training import data
from dcgan.training.trainer import Trainer


def test_auto_picks_bfloat16_only_on_a_cpu_that_reports_it():
    assert precision.resolve("auto", has_gpu=False, flags={"avx2", "avx512f"}) == "float32"
    assert precision.resolve("auto", has_gpu=False, flags={"avx512f", "avx512_bf16"}) == "bfloat16"
    assert precision.resolve("auto", has_gpu=False, flags={"amx_bf16", "amx_tile"}) == "bfloat16"
    assert precision.resolve("auto", has_gpu=True, flags={"avx512_bf16"}) == "float32"  # GPUs: their own
    assert precision.resolve("float32", has_gpu=False, flags={"avx512_bf16"}) == "float32"  # the flag wins


def test_cpu_flags_are_read_from_cpuinfo(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512_bf16\n")
    assert precision.cpu_flags(str(cpuinfo)) == {"fpu", "avx2", "avx512_bf16"}
    assert precision.cpu_flags(str(tmp_path / "none")) == set()


@pytest.mark.slow
def test_bfloat16_train_step_computes_in_bfloat16_with_float32_weights(tiny_options):
    try:
        trainer = Trainer(dataclasses.replace(tiny_options, precision="bfloat16"))
        assert trainer.precision == "bfloat16"
        assert trainer.generator.g_h1.compute_dtype == "bfloat16"
        assert all(v.dtype == "float32" for v in trainer.generator.variables)
        images, count, _ = data.load_images(list_images(tiny_options.dataset), 16)
        batch = next(iter(data.training_batches(images, count, 16, seed=0)))
        first, _ = trainer.train_step(batch)
        for _ in range(5):
            last, _ = trainer.train_step(batch)
        assert all(np.isfinite(float(v)) for v in last.values())
        assert float(last["d_loss"]) != float(first["d_loss"])
    finally:
        keras.mixed_precision.set_global_policy("float32")
