"""What the benchmarks share: the model flags and the choice of convolution implementation."""

import argparse


def parser(doc):
    """An argument parser with --image_size, --gf_dim, --df_dim, --batch_size, --seconds, --precision, --ops."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--image_size", type=int, default=64)
    p.add_argument("--gf_dim", type=int, default=64)
    p.add_argument("--df_dim", type=int, default=None, help="default: --gf_dim")
    p.add_argument("--batch_size", type=int, default=64)
    p.add_argument("--seconds", type=float, default=30.0, help="per measurement")
    p.add_argument("--precision", default="float32", choices=("float32", "bfloat16"),
                   help="the train step's or the search's arithmetic (default: %(default)s)")
    p.add_argument("--ops", default="auto", choices=("auto", "native", "fast", "edges"),
                   help="strided convolutions: see ops.set_implementation (default: %(default)s)")
    return p
