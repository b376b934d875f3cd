"""The encoder: a masked face and its mask -> the z that G would need to draw the whole face.

It gives the z search a learned start (in-domain GAN inversion, Zhu et al.,
ECCV 2020): from there a short search fits the known pixels better than a long
one from random starts. It is D's shape with one more input channel (the mask)
and z_dim outputs through tanh, since z lies in [-1, 1].
"""

import dataclasses
import os

import keras
import tensorflow as tf

from dcgan.modeling.config import ModelConfig
from dcgan.utils.files import read_json, write_json

ENCODER_FOLDER = "encoder"  # beside a model's config.json
WEIGHTS = "encoder.weights"
CONFIG_FILE = "encoder.json"


@dataclasses.dataclass(frozen=True)
class EncoderConfig:
    """The encoder's shape: the model it serves and its own widths."""

    image_size: int = 64
    c_dim: int = 3
    z_dim: int = 100
    ef_dim: int = 64  # channels of the first convolution, doubled each layer down
    hidden: int = 512  # width of the dense layer before z

    @classmethod
    def for_model(cls, config: ModelConfig, **widths):
        return cls(config.image_size, config.c_dim, config.z_dim, **widths)

    @property
    def num_layers(self):
        return ModelConfig(self.image_size, c_dim=self.c_dim).num_layers


class Encoder(keras.Model):
    """[B, H, W, C] masked faces (the hole at 0) and [B, H, W, 1] masks (1 = known) -> z."""

    def __init__(self, config, **kwargs):
        super().__init__(name="encoder", **kwargs)
        self.config = config
        for i in range(config.num_layers):  # attributes, not lists: checkpoints track attributes
            setattr(self, f"e_h{i}_conv", keras.layers.Conv2D(config.ef_dim * 2 ** i, 5, strides=2,
                                                             padding="same", name=f"e_h{i}_conv"))
        for i in range(1, config.num_layers):  # after the convolutions: the optimizer's order
            setattr(self, f"e_ln{i}", keras.layers.LayerNormalization(name=f"e_ln{i}"))
        self.hidden = keras.layers.Dense(config.hidden, name="e_hidden")
        self.out = keras.layers.Dense(config.z_dim, name="e_z")

    def call(self, masked, mask):
        x = tf.concat([masked, mask], axis=-1)
        x = tf.nn.leaky_relu(self.e_h0_conv(x), 0.2)
        for i in range(1, self.config.num_layers):
            x = tf.nn.leaky_relu(getattr(self, f"e_ln{i}")(getattr(self, f"e_h{i}_conv")(x)), 0.2)
        x = tf.reshape(x, [tf.shape(x)[0], -1])
        return tf.tanh(self.out(tf.nn.leaky_relu(self.hidden(x), 0.2)))


def build_encoder(config):
    """An `Encoder` with its variables (built on a dummy batch)."""
    encoder = Encoder(config)
    size = config.image_size
    encoder(tf.zeros([1, size, size, config.c_dim]), tf.ones([1, size, size, 1]))
    return encoder


def encode(encoder, images, mask):
    """z for images in [-1, 1] with the known pixels of `mask` ([H, W] or [B, H, W]) kept."""
    mask = tf.convert_to_tensor(mask, tf.float32)
    mask = tf.broadcast_to(mask[..., None] if mask.shape.rank == 3 else mask[None, :, :, None],
                           tf.concat([tf.shape(images)[:3], [1]], 0))
    return encoder(tf.convert_to_tensor(images, tf.float32) * mask, mask)


def save_encoder(encoder, model_dir, provenance=None, dtype="float16"):
    """Writes the encoder beside a model as `model_dir/encoder/` ({CONFIG_FILE} and weights)."""
    folder = os.path.join(model_dir, ENCODER_FOLDER)
    os.makedirs(folder, exist_ok=True)
    tf.train.Checkpoint(encoder=_stored(encoder, dtype)).write(os.path.join(folder, WEIGHTS))
    write_json(os.path.join(folder, CONFIG_FILE), {**dataclasses.asdict(encoder.config), "dtype": dtype,
                                                    "provenance": provenance or {}})


def _stored(encoder, dtype, values=tf.identity):
    """The encoder's variables (or `values` of each) as `dtype` variables, keyed by their paths."""
    return {_key(v): tf.Variable(tf.cast(values(v), dtype)) for v in encoder.variables}


def _key(variable):
    """A variable's path as a checkpoint key (`encoder.e_h0_conv.kernel`)."""
    return variable.path.replace("/", ".")


def load_encoder(model_dir):
    """The encoder stored beside a model, or None when the model has none."""
    folder = os.path.join(model_dir, ENCODER_FOLDER)
    if not os.path.exists(os.path.join(folder, CONFIG_FILE)):
        return None
    fields = read_json(os.path.join(folder, CONFIG_FILE))
    names = {f.name for f in dataclasses.fields(EncoderConfig)}
    encoder = build_encoder(EncoderConfig(**{k: v for k, v in fields.items() if k in names}))
    dtype = fields.get("dtype", "float32")
    stored = _stored(encoder, dtype, values=tf.zeros_like)
    tf.train.Checkpoint(encoder=stored).read(os.path.join(folder, WEIGHTS)).assert_existing_objects_matched()
    for variable in encoder.variables:
        variable.assign(tf.cast(stored[_key(variable)], tf.float32))
    return encoder


def read_provenance(model_dir):
    """How the model's encoder was trained, as its {CONFIG_FILE} records it ({} without one)."""
    path = os.path.join(model_dir, ENCODER_FOLDER, CONFIG_FILE)
    return read_json(path).get("provenance", {}) if os.path.exists(path) else {}
