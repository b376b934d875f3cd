"""Iterations/s of the compiled z search (Adam, batch 64, 64x64, gf_dim=df_dim=64), beside the
same loop run eagerly step by step. Not a test.

    python -m bench.complete_loop --image_size 64 --gf_dim 64 --batch_size 64 --seconds 30

Prints one JSON line.
"""

import json
import os
import time


from dcgan.cli import import_tensorflow_quietly

import_tensorflow_quietly()

import tensorflow as tf

from bench import common
import ops
from dcgan.modeling.config import ModelConfig
from dcgan.hole.masks import make_mask
from dcgan.modeling.model import build_models
from dcgan.modeling.checkpoints import LoadedModel
from dcgan.options import SearchOptions
from dcgan.search.z_search import ZSearch


def iterations_per_s(run, seconds, chunk):
    run(chunk)  # trace / warm up
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds or done < chunk:
        run(chunk)
        done += chunk
    return done / (time.perf_counter() - start)


def main():
    p = common.parser(__doc__)
    p.add_argument("--chunk", type=int, default=10, help="iterations per compiled call")
    p.add_argument("--lam", type=float, default=0.1, help="the search's --lam (0 leaves D out)")
    a = p.parse_args()
    ops.set_implementation(a.ops)
    config = ModelConfig(image_size=a.image_size, gf_dim=a.gf_dim, df_dim=a.df_dim or a.gf_dim)
    model = LoadedModel(config, *build_models(config), path=None)
    images = tf.random.uniform([a.batch_size, a.image_size, a.image_size, 3], -1, 1)
    mask = make_mask("center", a.image_size)
    search = ZSearch(model, images, mask, SearchOptions(precision=a.precision, lam=a.lam))
    unfolded = ZSearch(model, images, mask, SearchOptions(lam=a.lam), fold=False)
    compiled = iterations_per_s(lambda n: float(search.run(tf.constant(n))[0][0]), a.seconds, a.chunk)
    plain = iterations_per_s(lambda n: float(unfolded.run(tf.constant(n))[0][0]), a.seconds, a.chunk)
    eager = iterations_per_s(lambda n: float(search.run_eager(n)[0][0]), a.seconds, a.chunk)
    print(json.dumps({
        "complete_iters_per_s": round(compiled, 3), "unfolded_iters_per_s": round(plain, 3),
        "eager_iters_per_s": round(eager, 3),
        "image_size": a.image_size, "gf_dim": config.gf_dim, "df_dim": config.df_dim,
        "batch_size": a.batch_size, "lam": a.lam, "ops": a.ops, "precision": a.precision,
        "device": tf.test.gpu_device_name() or "cpu",
    }))


if __name__ == "__main__":
    main()
