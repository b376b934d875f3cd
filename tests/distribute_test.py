"""Training on several devices and machines through tf.distribute, on the CPU."""

import json
import os
import socket
import subprocess
import sys

import pytest

from conftest import REPO, TINY_FLAGS, TINY_MODEL

pytestmark = pytest.mark.slow  # every test here starts a tool or trains


def test_two_replicas_stay_in_sync_and_match_one_device():
    """Run in a fresh process: logical devices must be set before TensorFlow starts."""
    script = f"""
import sys; sys.path.insert(0, {REPO!r})
import numpy as np, tensorflow as tf
cpus = tf.config.list_physical_devices("CPU")
tf.config.set_logical_device_configuration(cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2)
from dcgan.modeling.config import ModelConfig
from dcgan.options import TrainOptions
from dcgan.training.trainer import Trainer
options = TrainOptions(dataset="", model=ModelConfig(**{TINY_MODEL!r}), batch_size=8)
real = tf.data.Dataset.from_tensors(tf.random.stateless_uniform([8, 16, 16, 3], [1, 2], -1, 1)).repeat(2)
one = Trainer(options)
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
two = Trainer(options, strategy)
variables = lambda t: t.generator.variables + t.discriminator.variables
for a, b in zip(variables(one), variables(two)):
    b.assign(a.numpy())
for batch in real:
    single, _ = one.train_step(batch)
for batch in strategy.experimental_distribute_dataset(real):
    mirrored, _ = two.train_step(batch)
losses = max(abs(float(single[k]) - float(mirrored[k])) for k in single)
weights = max(float(np.abs(a.numpy() - b.numpy()).max()) for a, b in zip(variables(one), variables(two)))
sync = max(float(np.abs(r.numpy() - strategy.experimental_local_results(v.value)[0].numpy()).max())
           for v in variables(two) for r in strategy.experimental_local_results(v.value))
print({{"replicas": strategy.num_replicas_in_sync, "losses": losses, "weights": weights, "sync": sync}})
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = eval(result.stdout.strip().splitlines()[-1])
    assert report["replicas"] == 2
    assert report["sync"] == 0.0  # every replica holds the same weights
    assert report["losses"] < 1e-5  # synchronised batch norm: the same batch statistics
    # Adam moves each weight by about lr per update, whatever the gradient's size, so a
    # near-zero gradient's float32 rounding can flip a step: 3 G updates x 2 x lr at most.
    assert report["weights"] <= 6 * 0.0002


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _run_workers(common, extra):
    ports = _free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    processes = []
    for index in range(2):
        task = {"cluster": cluster, "task": {"type": "worker", "index": index}}
        env = dict(os.environ, TF_CONFIG=json.dumps(task))
        processes.append(subprocess.Popen(common + extra, cwd=REPO, env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True))
    outputs = [p.communicate(timeout=300) for p in processes]
    for process, (out, err) in zip(processes, outputs):
        assert process.returncode == 0, err[-3000:]
    return [out for out, _ in outputs]


def test_two_workers_on_localhost_train_resume_and_only_the_chief_writes(faces_dir, tmp_path):
    common = [sys.executable, "train_dcgan.py", "--dataset", faces_dir,
              *TINY_FLAGS, "--batch_size", "16", "--epoch", "1",
              "--sample_every", "1", "--no_progress", "--checkpoint_dir", str(tmp_path / "ck"),
              "--sample_dir", str(tmp_path / "samples"), "--log_dir", str(tmp_path / "logs")]
    first = _run_workers(common, ["--max_steps", "2"])
    assert "2 replica(s)" in first[0] and "step 2)" in first[0]
    assert sorted(os.listdir(tmp_path / "samples")) == ["train_00_0001.png", "train_00_0002.png"]
    assert os.path.exists(tmp_path / "ck" / "DCGAN.model-2.index")

    restarted = _run_workers(common, [])  # the cluster restarted: both workers resume at step 2
    assert all("resuming" in out and "step 2" in out for out in restarted)
    assert os.path.exists(tmp_path / "ck" / "DCGAN.model-3.index")
    assert sorted(os.listdir(tmp_path / "samples")) == ["train_00_0001.png", "train_00_0002.png",
                                                        "train_00_0003.png"]
    assert len(os.listdir(tmp_path / "logs")) == 2  # one event file per run, the chief's only
