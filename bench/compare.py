"""Ours against the PyTorch reference (../shared/bench/torch_dcgan_reference.py), one after the
other in one run, at gf_dim 64 and 32: the table of bench/README.md. Not a test.

    python -m bench.compare --torch_python /path/to/venv-with-torch/bin/python --seconds 20

Both run in float32 and, where the CPU has native bfloat16 (AVX512_BF16 or
AMX), in bfloat16 too (PyTorch's autocast, our --precision bfloat16); the
ratio is our best against PyTorch's best. Each
figure comes from its own process so that none warms or slows another.
Prints the CPU, a Markdown table and one JSON line.
"""

import argparse
import json
import os
import platform
import subprocess
import sys

from dcgan.modeling import precision

HERE = os.path.dirname(os.path.abspath(__file__))
TORCH_REFERENCE = os.path.join(HERE, "..", "..", "shared", "bench", "torch_dcgan_reference.py")


def run_json(command):
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def cpu_name():
    with open("/proc/cpuinfo") as f:
        names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
    return names[0] if names else platform.processor()


def measure(a, gf, bf16):
    size = ["--gf_dim", str(gf), "--seconds", str(a.seconds)]
    torch = {"float32": run_json([a.torch_python, a.torch_reference, *size, "--df_dim", str(gf)])}
    if bf16:
        torch["bf16"] = run_json([a.torch_python, a.torch_reference, *size, "--df_dim", str(gf), "--bf16"])
    ours = {}
    for name in ("float32", "bfloat16") if bf16 else ("float32",):
        ours[name] = {**run_json([sys.executable, "-m", "bench.train_step", *size, "--precision", name]),
                      **run_json([sys.executable, "-m", "bench.complete_loop", *size,
                                  "--precision", name])}
    best = lambda runs, key: max(t[key] for t in runs.values())
    return {"gf_dim": gf, "ops": ours["float32"]["ops"],
            "train_ours": ours["float32"]["train_images_per_s"],
            "train_ours_bf16": ours.get("bfloat16", {}).get("train_images_per_s"),
            "train_torch": torch["float32"]["train_images_per_s"],
            "train_torch_bf16": torch.get("bf16", {}).get("train_images_per_s"),
            "train_ratio": best(ours, "train_images_per_s") / best(torch, "train_images_per_s"),
            "complete_ours": ours["float32"]["complete_iters_per_s"],
            "complete_ours_bf16": ours.get("bfloat16", {}).get("complete_iters_per_s"),
            "complete_unfolded": ours["float32"]["unfolded_iters_per_s"],
            "complete_torch": torch["float32"]["complete_iters_per_s"],
            "complete_torch_bf16": torch.get("bf16", {}).get("complete_iters_per_s"),
            "complete_ratio": best(ours, "complete_iters_per_s") / best(torch, "complete_iters_per_s")}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--torch_python", default=sys.executable, help="a Python with torch installed")
    p.add_argument("--torch_reference", default=TORCH_REFERENCE)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--gf_dims", default="64,32")
    a = p.parse_args()
    try:
        has_torch = subprocess.run([a.torch_python, "-c", "import torch"], capture_output=True).returncode == 0
    except OSError:
        has_torch = False
    if not has_torch:
        print(f"compare.py: error: {a.torch_python} cannot import torch; pass --torch_python "
              "with a Python that has it (see bench/README.md)", file=sys.stderr)
        return 2
    if not os.path.exists(a.torch_reference):
        print(f"compare.py: error: no PyTorch reference at {a.torch_reference}", file=sys.stderr)
        return 2
    bf16 = bool(precision.cpu_flags() & set(precision.BF16_CPU_FLAGS))
    rows = [measure(a, int(gf), bf16) for gf in a.gf_dims.split(",")]
    dash = lambda v, digits=1: "-" if v is None else f"{v:.{digits}f}"
    print(f"CPU: {cpu_name()}; native bfloat16: {'yes' if bf16 else 'no'}\n")
    print("| gf_dim | train img/s ours fp32 | ours bf16 | PyTorch fp32 | PyTorch bf16 | best to best | "
          "completion it/s ours fp32 | ours bf16 | unfolded | PyTorch fp32 | PyTorch bf16 | best to best |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['gf_dim']} | {r['train_ours']:.1f} | {dash(r['train_ours_bf16'])} | {r['train_torch']:.1f} | "
              f"{dash(r['train_torch_bf16'])} | {r['train_ratio']:.2f}x | {r['complete_ours']:.2f} | "
              f"{dash(r['complete_ours_bf16'], 2)} | {r['complete_unfolded']:.2f} | {r['complete_torch']:.2f} | "
              f"{dash(r['complete_torch_bf16'], 2)} | {r['complete_ratio']:.2f}x |")
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
