"""G and D: shapes for every image size, the original's layer layout, config checks."""

import numpy as np
import pytest
import tensorflow as tf

from dcgan.modeling.config import ModelConfig
from dcgan.errors import UserError
from dcgan.modeling.model import build_models


@pytest.mark.parametrize("size", [8, 16, 32, 64, 128])
def test_output_shapes_for_every_size(size):
    config = ModelConfig(image_size=size, z_dim=10, gf_dim=4, df_dim=4)
    generator, discriminator = build_models(config)
    z = tf.random.uniform([3, 10], -1, 1)
    images = generator(z, training=True)
    assert images.shape == (3, size, size, 3)
    assert np.all(np.abs(images.numpy()) <= 1.0)
    assert discriminator(images, training=True).shape == (3,)
    assert config.num_layers == int(np.log2(size)) - 2


def test_64x64_has_the_original_layers_and_shapes():
    generator, discriminator = build_models(ModelConfig())
    shapes = {v.path: tuple(v.shape) for v in generator.variables + discriminator.variables}
    assert shapes["generator/g_h0_lin/Matrix"] == (100, 8192)
    assert shapes["generator/g_bn0/gamma"] == (512,)
    assert shapes["generator/g_h1/w"] == (5, 5, 256, 512)
    assert shapes["generator/g_h4/w"] == (5, 5, 3, 64)
    assert shapes["discriminator/d_h0_conv/w"] == (5, 5, 3, 64)
    assert shapes["discriminator/d_h3_conv/w"] == (5, 5, 256, 512)
    assert shapes["discriminator/d_h3_lin/Matrix"] == (8192, 1)
    assert "discriminator/d_bn0/gamma" not in shapes  # no batch norm on D's first layer
    bn = generator.g_bn0
    assert bn.epsilon == pytest.approx(1e-5) and bn.momentum == pytest.approx(0.9)


def test_weights_start_as_the_original():
    generator, discriminator = build_models(ModelConfig(gf_dim=16, df_dim=16))
    w = generator.g_h1.kernel.numpy()
    assert abs(w.std() - 0.02) < 0.002
    d = discriminator.d_h1_conv.kernel.numpy()
    assert np.abs(d).max() <= 2 * 0.02 + 1e-6  # truncated normal
    assert np.all(generator.g_h1.bias.numpy() == 0)


@pytest.mark.parametrize("size", [0, 4, 48, 100])
def test_image_size_must_be_a_power_of_two_from_8(size):
    with pytest.raises(UserError, match="power of two"):
        ModelConfig(image_size=size)


def test_config_round_trips_through_json(tmp_path):
    config = ModelConfig(image_size=32, z_dim=20, gf_dim=8, df_dim=16)
    config.save(str(tmp_path))
    assert ModelConfig.load(str(tmp_path)) == config
    assert ModelConfig.load(str(tmp_path / "none")) is None
