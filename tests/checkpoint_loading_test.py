"""complete.py's model loading: our checkpoints, and the original TF1 code's, by name."""

import numpy as np
import pytest
import tensorflow as tf

from dcgan.modeling.checkpoints import load_models
from dcgan.errors import UserError


def _tf1_shapes(z_dim=100, gf=64, df=64):
    """The original's 2016 64x64 layout, as ORIGINAL.md lists it."""
    shapes = {
        "generator/g_h0_lin/Matrix": [z_dim, 4 * 4 * gf * 8], "generator/g_h0_lin/bias": [4 * 4 * gf * 8],
        "discriminator/d_h0_conv/w": [5, 5, 3, df], "discriminator/d_h0_conv/biases": [df],
        "discriminator/d_h3_lin/Matrix": [4 * 4 * df * 8, 1], "discriminator/d_h3_lin/bias": [1],
    }
    for i, (c_out, c_in) in enumerate([(gf * 4, gf * 8), (gf * 2, gf * 4), (gf, gf * 2), (3, gf)], 1):
        shapes[f"generator/g_h{i}/w"] = [5, 5, c_out, c_in]
        shapes[f"generator/g_h{i}/biases"] = [c_out]
    for i, (c_in, c_out) in enumerate([(df, df * 2), (df * 2, df * 4), (df * 4, df * 8)], 1):
        shapes[f"discriminator/d_h{i}_conv/w"] = [5, 5, c_in, c_out]
        shapes[f"discriminator/d_h{i}_conv/biases"] = [c_out]
    for scope, name, width in [("generator", "g_bn0", gf * 8), ("generator", "g_bn1", gf * 4),
                               ("generator", "g_bn2", gf * 2), ("generator", "g_bn3", gf),
                               ("discriminator", "d_bn1", df * 2), ("discriminator", "d_bn2", df * 4),
                               ("discriminator", "d_bn3", df * 8)]:
        for part in ("beta", "gamma", "moving_mean", "moving_variance"):
            shapes[f"{scope}/{name}/{part}"] = [width]
    return shapes


def _write_tf1_checkpoint(directory, shapes, step=1234):
    """A tf.train.Saver bundle as the original wrote it: DIR/DCGAN.model-STEP."""
    rng = np.random.default_rng(0)
    values = {name: rng.normal(0, 0.02, shape).astype(np.float32) for name, shape in shapes.items()}
    for name in values:
        if name.endswith("moving_variance") or name.endswith("gamma"):
            values[name] = np.abs(values[name]) + 1.0
    with tf.Graph().as_default():
        variables = [tf.compat.v1.Variable(value, name=name) for name, value in values.items()]
        saver = tf.compat.v1.train.Saver(variables)
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            saver.save(session, f"{directory}/DCGAN.model", global_step=step)
    return values


def test_original_tf1_checkpoint_maps_onto_our_layers(tmp_path):
    values = _write_tf1_checkpoint(str(tmp_path), _tf1_shapes(gf=16, df=16))
    config, generator, discriminator, path, _ = load_models(str(tmp_path))
    assert path.endswith("DCGAN.model-1234")
    assert (config.image_size, config.z_dim, config.gf_dim, config.df_dim) == (64, 100, 16, 16)
    for variable in generator.variables + discriminator.variables:
        assert np.array_equal(variable.numpy(), values[variable.path]), variable.path
    images = generator(tf.random.uniform([2, 100], -1, 1))
    assert images.shape == (2, 64, 64, 3) and discriminator(images).shape == (2,)


def test_full_size_original_layout_loads(tmp_path):
    _write_tf1_checkpoint(str(tmp_path), _tf1_shapes())
    config = load_models(str(tmp_path))[0]
    assert (config.gf_dim, config.df_dim) == (64, 64)


def test_our_checkpoint_loads_with_its_config(tiny_model):
    config, generator, _, path, _ = load_models(tiny_model)
    assert config.image_size == 16 and config.z_dim == 16
    reader = tf.train.load_checkpoint(path)
    key = "generator/g_h1/kernel/.ATTRIBUTES/VARIABLE_VALUE"
    assert np.array_equal(reader.get_tensor(key), generator.g_h1.kernel.numpy())


def test_missing_or_foreign_checkpoints_are_user_errors(tmp_path):
    with pytest.raises(UserError, match="nowhere: no such folder"):
        load_models(str(tmp_path / "nowhere"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="empty holds no checkpoint"):
        load_models(str(tmp_path / "empty"))
    shapes = _tf1_shapes(gf=8, df=8)
    del shapes["generator/g_bn2/gamma"]
    _write_tf1_checkpoint(str(tmp_path), shapes)
    with pytest.raises(UserError, match="no value for generator/g_bn2/gamma"):
        load_models(str(tmp_path))


def test_float16_bundle_is_smaller_and_completes_the_same(tiny_model, tmp_path):
    import os

    from conftest import run_cli
    result = run_cli("-m", "dcgan.tools.export", tiny_model, str(tmp_path / "bundle"))
    assert result.returncode == 0, result.stderr
    config, generator, discriminator, path, _ = load_models(str(tmp_path / "bundle"))
    original_config, original_g, original_d, _, _ = load_models(tiny_model)
    assert config == original_config and path.endswith("model")
    assert all(v.dtype == "float32" for v in generator.variables)
    z = tf.random.stateless_uniform([4, config.z_dim], [0, 0], -1, 1)
    images, original = generator(z).numpy(), original_g(z).numpy()
    assert np.abs(images - original).max() < 0.02  # float16 weights: about 3 decimal digits
    assert np.abs(discriminator(original_g(z)).numpy() - original_d(original_g(z)).numpy()).max() < 0.05
    stored = os.path.getsize(path + ".data-00000-of-00001")
    float32_bytes = sum(v.numpy().nbytes for v in generator.variables + discriminator.variables)
    assert stored < 0.6 * float32_bytes  # half, plus the bundle's small overhead


def test_export_to_a_path_it_cannot_write_is_one_line(tiny_model, tmp_path):
    from conftest import assert_one_line_error, run_cli
    (tmp_path / "a_file").write_text("x")
    result = run_cli("-m", "dcgan.tools.export", tiny_model, str(tmp_path / "a_file"))
    assert "out_dir " + str(tmp_path / "a_file") + " is a file" in assert_one_line_error(result)
    result = run_cli("-m", "dcgan.tools.export", tiny_model, str(tmp_path / "a_file" / "bundle"))
    assert "cannot write to out_dir" in assert_one_line_error(result)


def test_export_warns_when_the_checkpoint_has_no_training_flags_beside_it(tiny_model, tmp_path):
    import json
    import shutil

    from conftest import run_cli
    copied = tmp_path / "kept"
    shutil.copytree(tiny_model, copied, ignore=shutil.ignore_patterns("training.json"))
    result = run_cli("-m", "dcgan.tools.export", str(copied), str(tmp_path / "bundle"))
    assert result.returncode == 0, result.stderr
    assert "warning: no training.json" in result.stderr
    assert "training" not in json.loads((tmp_path / "bundle" / "config.json").read_text())["provenance"]
    result = run_cli("-m", "dcgan.tools.export", tiny_model, str(tmp_path / "whole"))
    assert result.returncode == 0 and "warning" not in result.stderr
    assert json.loads((tmp_path / "whole" / "config.json").read_text())["provenance"]["training"]["runs"]
