"""Training checkpoints: G, D, both optimizers and the counters, with the model config beside them."""

import dataclasses
import os
import typing

import tensorflow as tf

from dcgan.modeling.config import CONFIG_FILE, ModelConfig
from dcgan.modeling.encoder import load_encoder, read_provenance, save_encoder
from dcgan.modeling.model import build_models
from dcgan.errors import OptionError, UserError
from dcgan.utils.files import read_json, write_json

CHECKPOINT_NAME = "DCGAN.model"
TRAINING_FILE = "training.json"


def check_config(directory, config):
    """Refuses a checkpoint folder that holds a model of another shape.

    Args:
      directory: the checkpoint folder.
      config: the `ModelConfig` of this run.

    Raises:
      UserError: naming both shapes.
    """
    saved = ModelConfig.load(directory)
    if saved is not None and saved != config:
        raise OptionError(
            "checkpoint_dir", f"{directory} holds a model of {saved.describe()}; this run asks "
            f"for {config.describe()}: give the same model options, or another folder")


def make_manager(checkpoint, directory, max_to_keep=3, name=CHECKPOINT_NAME):
    """A `tf.train.CheckpointManager` writing `DIR/DCGAN.model-STEP` as the original did."""
    return tf.train.CheckpointManager(checkpoint, directory, max_to_keep=max_to_keep, checkpoint_name=name)


class LoadedModel(typing.NamedTuple):
    """A trained model ready for completion: its config travels with its networks."""

    config: ModelConfig
    generator: object
    discriminator: object
    path: str
    encoder: object = None  # the search's learned start, where the model has one beside it


class Saver:
    """Writes a checkpoint per call unless the newest one already holds this (step, epoch)."""

    def __init__(self, checkpoint, directory, last, step, epoch):
        relocate_index(directory)
        self.manager = make_manager(checkpoint, directory)
        self.last, self.step, self.epoch = last, step, epoch
        self.saved = self._state()

    def _state(self):
        return int(self.step.numpy()), int(self.epoch.numpy())

    def save(self):
        """Returns the path of the checkpoint holding the current state."""
        if self.last is None or self._state() != self.saved:
            self.last, self.saved = self.manager.save(checkpoint_number=self.step), self._state()
        return self.last


def saved_checkpoints(directory):
    """The checkpoints in `directory`, newest first, as paths from here.

    `get_checkpoint_state` already joins the index's relative names to the
    folder (joining again broke relative folders). An index of absolute paths
    (older TensorFlow, or by hand) names where the folder was saved: in a
    moved or copied folder each is read by its file name. A folder without an
    index is read by its `.index` files, newest step first.
    """
    state = tf.train.get_checkpoint_state(directory)
    if state is None or not state.all_model_checkpoint_paths:
        return _prefixes_by_step(directory)
    paths = list(state.all_model_checkpoint_paths)[::-1]
    return [p if tf.io.gfile.exists(p + ".index") else os.path.join(directory, os.path.basename(p))
            for p in paths]


def _prefixes_by_step(directory):
    """Every `PREFIX.index` in `directory`, newest `-STEP` first."""
    if not os.path.isdir(directory):
        return []
    prefixes = [os.path.join(directory, f[:-len(".index")]) for f in os.listdir(directory)
                if f.endswith(".index")]
    step = lambda p: int(p.rsplit("-", 1)[1]) if p.rsplit("-", 1)[-1].isdigit() else -1
    return sorted(prefixes, key=step, reverse=True)


def relocate_index(directory):
    """Rewrites an index that names another folder's files with the names of this one's.

    Training calls it before saving, so that the manager keeps (and prunes)
    the checkpoints that are here, not those of the place the folder came from.
    """
    state = tf.train.get_checkpoint_state(directory)
    if state is None:
        return
    names = list(state.all_model_checkpoint_paths)
    if all(tf.io.gfile.exists(p + ".index") for p in names):
        return
    stamps = list(state.all_model_checkpoint_timestamps)
    kept = [i for i, p in enumerate(names)
            if tf.io.gfile.exists(os.path.join(directory, os.path.basename(p)) + ".index")]
    if kept:
        here = [os.path.join(directory, os.path.basename(names[i])) for i in kept]
        tf.compat.v1.train.update_checkpoint_state(
            directory, here[-1], all_model_checkpoint_paths=here,
            all_model_checkpoint_timestamps=[stamps[i] for i in kept] if len(stamps) == len(names)
            else None, last_preserved_timestamp=state.last_preserved_timestamp)


def restore_latest(checkpoint, directory, log=print):
    """Restores the newest good checkpoint in `directory`, checking that every value matched.

    A damaged newest checkpoint (flipped bytes, a truncated file) is passed over
    for the one before it, and `log` says so.

    Returns:
      The path restored from, or None when the folder holds none.

    Raises:
      UserError: every checkpoint there is damaged or of another model.
    """
    problems = []
    for path in saved_checkpoints(directory):
        try:
            checkpoint.restore(path).assert_existing_objects_matched()
        except (AssertionError, ValueError, IndexError, tf.errors.OpError) as e:
            problems.append(f"{path}: {str(e).splitlines()[0]}")
            continue
        for problem in problems:
            log(f"warning: skipped a damaged checkpoint, {problem}")
        return path
    if problems:
        raise UserError(f"cannot restore any checkpoint in {directory}; {problems[0]}")
    return None


def holds(path, name):
    """Whether the checkpoint at `path` holds an object saved under `name` (`ema_generator`)."""
    try:
        keys = tf.train.load_checkpoint(path).get_variable_to_shape_map()
    except (tf.errors.OpError, ValueError):
        return False
    return any(k.startswith(name + "/") for k in keys)


def save_training_options(options, directory, step, folders):
    """Adds this run's flags to those beside the checkpoint, so that an exported model says how it was made.

    Each run (the first and every resume) is kept with the step it started from
    and the number of training images in each folder of the data set.
    """
    path = os.path.join(directory, TRAINING_FILE)
    runs = read_json(path).get("runs", []) if os.path.exists(path) else []
    flags = {k: v for k, v in dataclasses.asdict(options).items() if k not in ("model", "progress")}
    runs.append({"from_step": step, "flags": flags, "training_images": folders})
    write_json(path, {"runs": runs})


_TF1_TO_TF2_ATTRIBUTE = {"Matrix": "kernel", "w": "kernel", "biases": "bias"}


def _object_path(variable_path):
    """(model, layer, attribute) of a model variable (`generator/g_h1/w`) in our checkpoints."""
    model, layer, name = variable_path.split("/")
    return model, layer, _TF1_TO_TF2_ATTRIBUTE.get(name, name)


def checkpoint_keys(variable_path, raw=False):
    """Where a model variable (`generator/g_h1/w`) is stored, best first.

    The averaged generator of an --ema run (unless `raw`), the TF2 object key, then the TF1 name.
    """
    model, layer, attribute = _object_path(variable_path)
    keys = [f"{model}/{layer}/{attribute}/.ATTRIBUTES/VARIABLE_VALUE", variable_path]
    if model == "generator" and not raw:
        keys.insert(0, f"ema_{keys[0]}")
    return keys


def find_checkpoint(path):
    """The newest checkpoint in a folder (ours or the original's `DCGAN.model-STEP`), or a prefix."""
    if os.path.exists(path + ".index"):
        return path
    if not os.path.isdir(path):
        return None
    found = [p for p in saved_checkpoints(path) if os.path.exists(p + ".index")]
    return (found or _prefixes_by_step(path) or [None])[0]


def _config_from_tf1(reader, path):
    """The model shape of a checkpoint of the original TF1 code, read off its variable shapes."""
    shapes = reader.get_variable_to_shape_map()
    try:
        layers = sum(1 for k in shapes if k.startswith("generator/g_h") and k.endswith("/w"))
        last = shapes[f"generator/g_h{layers}/w"]
        return ModelConfig(image_size=4 * 2 ** layers, z_dim=shapes["generator/g_h0_lin/Matrix"][0],
                           gf_dim=last[3], df_dim=shapes["discriminator/d_h0_conv/w"][3], c_dim=last[2])
    except KeyError:
        raise UserError(f"{path} is neither a train_dcgan.py checkpoint (no config.json beside "
                        "it) nor one of the original DCGAN's") from None


def load_models(directory, raw=False):
    """G and D with the weights of the newest checkpoint in `directory`, for completion.

    Reads this project's training checkpoints, its bundled models (float16 is
    widened to float32) and the original TF1 code's `DCGAN.model-STEP` bundles,
    mapped onto our layers by name. G is the averaged generator where the
    checkpoint holds one (--ema), the trained one itself if `raw`.

    Returns:
      A `LoadedModel`: (config, generator, discriminator, checkpoint path).

    Raises:
      UserError: no checkpoint there, or one whose variables do not fit.
    """
    path = find_checkpoint(directory)
    if path is None and not os.path.exists(directory):
        raise OptionError("checkpoint_dir", f"{directory}: no such folder")
    if path is None:
        raise OptionError("checkpoint_dir", f"{directory} holds no checkpoint: train one with "
                          "train_dcgan.py, or give another folder")
    try:
        reader = tf.train.load_checkpoint(path)
    except (tf.errors.OpError, ValueError) as e:
        raise UserError(f"cannot read checkpoint {path}: {str(e).splitlines()[0]}") from None
    config = ModelConfig.load(os.path.dirname(path)) or _config_from_tf1(reader, path)
    generator, discriminator = build_models(config)
    stored = reader.get_variable_to_shape_map()
    for variable in generator.variables + discriminator.variables:
        key = next((k for k in checkpoint_keys(variable.path, raw) if k in stored), None)
        if key is None:
            raise UserError(f"{path} has no value for {variable.path}: not a model of "
                            f"{config.describe()}")
        try:
            value = reader.get_tensor(key)
        except (tf.errors.OpError, IndexError, ValueError) as e:  # flipped bytes, a truncated file
            raise UserError(f"{path} is damaged ({variable.path}: {str(e).splitlines()[0]}); "
                            "export or copy the model again") from None
        if tuple(value.shape) != tuple(variable.shape):
            raise UserError(f"{path}: {variable.path} is {list(value.shape)}, the model of "
                            f"{config.describe()} needs {list(variable.shape)}")
        variable.assign(value.astype("float32"))
    return LoadedModel(config, generator, discriminator, path, load_encoder(os.path.dirname(path)))


def export_model(checkpoint_dir, out_dir, dtype="float16", raw=False):
    """Writes what completion needs, G and D without optimizer state (and the encoder
    installed beside the checkpoint, if any), as a small bundle.

    The variables keep the layout of training checkpoints (`load_models` reads both),
    stored as `dtype` (float16 halves the size; loading widens to float32). G is
    the averaged generator of an --ema run unless `raw`. `config.json` also says
    how the model was made (`provenance`), read from the checkpoint and its flags.

    Returns:
      The prefix written (`out_dir/model`).
    """
    config, generator, discriminator, path, encoder = load_models(checkpoint_dir, raw)
    tree = {}
    for variable in generator.variables + discriminator.variables:
        model, layer, attribute = _object_path(variable.path)
        tree.setdefault(model, {}).setdefault(layer, {})[attribute] = tf.Variable(
            tf.cast(variable, dtype), trainable=False)
    os.makedirs(out_dir, exist_ok=True)
    prefix = tf.train.Checkpoint(**tree).write(os.path.join(out_dir, "model"))
    config.save(out_dir, provenance=_provenance(path, raw))
    if encoder is not None:  # installed beside the checkpoint: it travels with its G
        save_encoder(encoder, out_dir, read_provenance(os.path.dirname(path)), dtype)
    return prefix


def provenance(path):
    """How the model at `path` was made: a bundle's config.json says, else the checkpoint is read."""
    config = os.path.join(os.path.dirname(path), CONFIG_FILE)
    return (os.path.exists(config) and read_json(config).get("provenance")) or _provenance(path, raw=False)


def _provenance(path, raw):
    """Step, images seen, generator and training flags of the checkpoint at `path`."""
    reader = tf.train.load_checkpoint(path)
    stored = reader.get_variable_to_shape_map()
    counter = lambda name: (int(reader.get_tensor(f"{name}/.ATTRIBUTES/VARIABLE_VALUE"))
                            if f"{name}/.ATTRIBUTES/VARIABLE_VALUE" in stored else None)
    ema = holds(path, "ema_generator")
    provenance = {"checkpoint": os.path.basename(path), "step": counter("step"),
                  "epoch": counter("epoch"), "images_seen": counter("images_seen"),
                  "generator": "averaged (--ema)" if ema and not raw else "trained"}
    flags = os.path.join(os.path.dirname(path), TRAINING_FILE)
    if os.path.exists(flags):
        provenance["training"] = read_json(flags)
    return provenance
