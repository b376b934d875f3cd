"""Images/s of the full DCGAN train step (1 D + 2 G updates), and the share of the
machine's float32 matmul ceiling it reaches. Not a test.

    python -m bench.train_step --image_size 64 --gf_dim 64 --batch_size 64 --seconds 30

Prints one JSON line.
"""

import json
import os
import time


from dcgan.cli import import_tensorflow_quietly

import_tensorflow_quietly()

import numpy as np
import tensorflow as tf

from bench import common
import ops
from dcgan.modeling.config import ModelConfig
from dcgan.options import TrainOptions
from dcgan.training.trainer import Trainer


def matmul_gflops(n=4096, repeats=5):
    """float32 matmul throughput of numpy on this machine: the ceiling to compare with."""
    a = np.random.rand(n, n).astype(np.float32)
    b = np.random.rand(n, n).astype(np.float32)
    a @ b
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * n ** 3 * repeats / (time.perf_counter() - start) / 1e9


def forward_flops(config):
    """Multiply-adds x2 of one image through G and through D."""
    n, k = config.num_layers, 25
    g = 2 * config.z_dim * 16 * config.gf_dim * 2 ** (n - 1)
    d = 2 * 16 * config.df_dim * 2 ** (n - 1)
    for i in range(1, n + 1):  # G: input 2^(i+1) square, in -> out channels
        c_in = config.gf_dim * 2 ** (n - i)
        c_out = config.gf_dim * 2 ** (n - 1 - i) if i < n else config.c_dim
        g += 2 * (2 ** (i + 1)) ** 2 * c_in * c_out * k
    for i in range(n):  # D: output image_size / 2^(i+1) square
        c_in = config.c_dim if i == 0 else config.df_dim * 2 ** (i - 1)
        d += 2 * (config.image_size // 2 ** (i + 1)) ** 2 * c_in * config.df_dim * 2 ** i * k
    return g, d


def step_flops(config, batch):
    """D update: G forward, D forward+backward on real and fake (3x each); each G update:
    G forward+backward (3x), D forward and input gradient (2x)."""
    g, d = forward_flops(config)
    return batch * (g + 2 * 3 * d + 2 * (3 * g + 2 * d))


def time_train_step(config, batch_size, seconds, precision):
    trainer = Trainer(TrainOptions(dataset="", model=config, batch_size=batch_size, precision=precision))
    real = tf.random.uniform([batch_size, config.image_size, config.image_size, 3], -1, 1)
    for _ in range(2):
        float(trainer.train_step(real)[0]["d_loss"])
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds or steps < 3:
        float(trainer.train_step(real)[0]["d_loss"])
        steps += 1
    return steps * batch_size / (time.perf_counter() - start)


def main():
    p = common.parser(__doc__)
    a = p.parse_args()
    ops.set_implementation(a.ops)
    config = ModelConfig(image_size=a.image_size, gf_dim=a.gf_dim, df_dim=a.df_dim or a.gf_dim)
    ceiling = matmul_gflops()
    images_per_s = time_train_step(config, a.batch_size, a.seconds, a.precision)
    flops = step_flops(config, a.batch_size)
    achieved = images_per_s / a.batch_size * flops / 1e9
    print(json.dumps({
        "train_images_per_s": round(images_per_s, 2), "image_size": a.image_size,
        "gf_dim": config.gf_dim, "df_dim": config.df_dim, "batch_size": a.batch_size, "ops": a.ops,
        "precision": a.precision, "step_gflop": round(flops / 1e9, 1), "achieved_gflops": round(achieved, 1),
        "matmul_ceiling_gflops": round(ceiling, 1),
        "fraction_of_ceiling": round(achieved / ceiling, 3), "device": tf.test.gpu_device_name() or "cpu",
    }))


if __name__ == "__main__":
    main()
