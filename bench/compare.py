"""Ours against the PyTorch reference (../shared/bench/torch_dcgan_reference.py), one after the
other in one run, at gf_dim 64 and 32: the table of bench/README.md. Not a test.

    python bench/compare.py --torch_python /path/to/venv-with-torch/bin/python --seconds 20

Each figure comes from its own process so that none warms or slows another.
Prints a Markdown table and one JSON line.
"""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TORCH_REFERENCE = os.path.join(HERE, "..", "..", "shared", "bench", "torch_dcgan_reference.py")


def run_json(command):
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--torch_python", default=sys.executable, help="a Python with torch installed")
    p.add_argument("--torch_reference", default=TORCH_REFERENCE)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--gf_dims", default="64,32")
    a = p.parse_args()
    rows = []
    for gf in [int(g) for g in a.gf_dims.split(",")]:
        size = ["--gf_dim", str(gf), "--seconds", str(a.seconds)]
        torch = run_json([a.torch_python, a.torch_reference, *size, "--df_dim", str(gf)])
        train = run_json([sys.executable, os.path.join(HERE, "train_step.py"), *size])
        complete = run_json([sys.executable, os.path.join(HERE, "complete_loop.py"), *size])
        rows.append({"gf_dim": gf, "ops": train["ops"],
                     "train_ours": train["train_images_per_s"], "train_torch": torch["train_images_per_s"],
                     "complete_ours": complete["complete_iters_per_s"],
                     "complete_eager": complete["eager_iters_per_s"],
                     "complete_torch": torch["complete_iters_per_s"]})
    print("| gf_dim | train img/s ours | PyTorch | ratio | completion it/s ours | eager | PyTorch | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['gf_dim']} | {r['train_ours']:.1f} | {r['train_torch']:.1f} | "
              f"{r['train_ours'] / r['train_torch']:.2f}x | {r['complete_ours']:.2f} | "
              f"{r['complete_eager']:.2f} | {r['complete_torch']:.2f} | "
              f"{r['complete_ours'] / r['complete_torch']:.2f}x |")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
