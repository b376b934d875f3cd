"""The encoder: trained against a frozen G it gives the search a better start than random z; it
travels beside the model; --start random is the search without it, and a model without one works."""

import os
import shutil

import numpy as np
import pytest
from PIL import Image

from conftest import SHARED_DATA, TINY_MODEL, real_faces, run_as_user

pytestmark = pytest.mark.slow  # trains


@pytest.fixture(scope="module")
def encoded_model(tmp_path_factory):
    """A tiny model trained 300 steps (its faces vary with z, as an encoder needs) with a tiny
    encoder trained 300 steps against it, beside it."""
    from dcgan.modeling.checkpoints import load_models
    from dcgan.modeling.config import ModelConfig
    from dcgan.options import EncoderTrainOptions, TrainOptions
    from dcgan.training.encoder_trainer import install_encoder, train_encoder
    from dcgan.training.loop import train
    root = tmp_path_factory.mktemp("encoder")
    (root / "faces").mkdir()
    for path in real_faces(96):
        shutil.copy(path, root / "faces")
    model_dir = str(root / "model")
    train(TrainOptions(dataset=str(root / "faces"), model=ModelConfig(**TINY_MODEL), epoch=100,
                       max_steps=300, batch_size=16, checkpoint_dir=model_dir, sample_dir=str(root / "s"),
                       log_dir=str(root / "l"), progress=False), log=lambda message: None)
    options = EncoderTrainOptions(dataset=str(root / "faces"), heldout=16, batch_size=16,
                                  max_steps=300, encoder_dir=str(root / "training"),
                                  log_dir=str(root / "logs"), precision="float32", progress=False)
    model = load_models(model_dir)
    assert train_encoder(model, options, log=lambda message: None).step == 300
    install_encoder(model, model_dir, options)
    return model_dir


def _held_out_faces(count=16, size=16):
    folder = os.path.join(SHARED_DATA, "celeba_faces64", "test")
    return np.stack([np.asarray(Image.open(p).convert("RGB").resize((size, size)), np.float32) / 127.5 - 1
                     for p in real_faces(count, folder)])


def _search(model, start, mask_type="center", n_iter=1):
    from dcgan.hole.masks import make_mask
    from dcgan.options import SearchOptions
    from dcgan.search.batches import search_batches
    options = SearchOptions(n_iter=n_iter, starts=1, start=start, precision="float32")
    faces = _held_out_faces()
    return next(search_batches(model, faces, make_mask(mask_type, 16), options))


@pytest.mark.parametrize("mask_type", ["center", "left", "pattern"])
def test_the_encoders_start_fits_the_known_pixels_better_than_random(encoded_model, mask_type):
    from dcgan.modeling.checkpoints import load_models
    model = load_models(encoded_model)
    assert model.encoder is not None
    encoder = _search(model, "encoder", mask_type).initial_total
    random = _search(model, "random", mask_type).initial_total
    assert encoder.mean() < 0.8 * random.mean(), (encoder.mean(), random.mean())


def test_the_bundle_round_trip_keeps_the_encoder_and_how_it_was_trained(encoded_model, tmp_path):
    import tensorflow as tf
    from dcgan.modeling.encoder import encode, load_encoder, read_provenance, save_encoder
    encoder = load_encoder(encoded_model)
    save_encoder(encoder, str(tmp_path), {"step": 300}, dtype="float32")
    again = load_encoder(str(tmp_path))
    faces, mask = _held_out_faces(4), np.ones((16, 16), np.float32)
    assert np.array_equal(encode(encoder, faces, mask).numpy(), encode(again, faces, mask).numpy())
    assert read_provenance(encoded_model)["step"] == 300
    assert read_provenance(encoded_model)["training"]["runs"][0]["flags"]["max_steps"] == 300
    stored = [name for name, _ in tf.train.list_variables(os.path.join(encoded_model, "encoder", "encoder.weights"))]
    assert stored and not any("optimizer" in name for name in stored)


def test_start_random_is_the_search_without_an_encoder(encoded_model):
    from dcgan.modeling.checkpoints import load_models
    model = load_models(encoded_model)
    with_encoder = _search(model, "random", n_iter=3)
    without = _search(model._replace(encoder=None), "auto", n_iter=3)
    assert np.array_equal(with_encoder.generated, without.generated)


def test_a_model_without_an_encoder_starts_at_random_and_refuses_start_encoder(tiny_model):
    from dcgan.errors import OptionError
    from dcgan.modeling.checkpoints import load_models
    model = load_models(tiny_model)
    assert model.encoder is None and _search(model, "auto").generated.shape == (16, 16, 16, 3)
    with pytest.raises(OptionError, match="has none"):
        _search(model, "encoder")


def test_the_trainer_resumes_from_a_relative_folder_and_complete_starts_from_it(tiny_model, tmp_path):
    shutil.copytree(tiny_model, tmp_path / "model")
    os.makedirs(tmp_path / "faces")
    for path in real_faces(40):
        shutil.copy(path, tmp_path / "faces")
    train = lambda steps: run_as_user(tmp_path, "dcgan.tools.train_encoder", "--checkpointDir", "model",
                                      "--dataset", "faces", "--heldout", "8", "--batch_size", "8",
                                      "--max_steps", str(steps), "--no_progress")
    first = train(4)
    assert first.returncode == 0 and "saved encoder_checkpoint/encoder-4" in first.stdout, first.stderr
    second = train(8)
    assert "resuming from encoder_checkpoint/encoder-4" in second.stdout + second.stderr, second.stderr
    install = run_as_user(tmp_path, "dcgan.tools.train_encoder", "--checkpointDir", "model", "--install")
    assert install.returncode == 0 and os.path.exists(tmp_path / "model" / "encoder" / "encoder.json")
    os.makedirs(tmp_path / "small")
    for name in sorted(os.listdir(tmp_path / "faces"))[:2]:
        Image.open(tmp_path / "faces" / name).resize((16, 16)).save(tmp_path / "small" / f"{name}.png")
    done = run_as_user(tmp_path, "complete.py", "small", "--checkpointDir", "model", "--start", "encoder",
                       "--nIter", "2", "--no_progress")
    assert done.returncode == 0 and len(os.listdir(tmp_path / "completions" / "completed")) == 2, done.stderr


def test_a_checkpoint_of_the_encoder_alone_holds_every_layer(tmp_path):
    """Its layers are attributes: a checkpoint without the optimizer still restores them all."""
    import tensorflow as tf
    from dcgan.modeling.encoder import EncoderConfig, build_encoder
    config = EncoderConfig(image_size=16, z_dim=8, ef_dim=4, hidden=16)
    trained, fresh = build_encoder(config), build_encoder(config)
    for variable in trained.variables:
        variable.assign(tf.random.normal(variable.shape))
    tf.train.Checkpoint(encoder=trained).write(str(tmp_path / "encoder"))
    tf.train.Checkpoint(encoder=fresh).read(str(tmp_path / "encoder")).assert_consumed()
    assert len(fresh.variables) == 4 * config.num_layers - 2 + 4
    for ours, theirs in zip(fresh.variables, trained.variables):
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_export_carries_the_encoder_and_drops_one_that_belongs_to_another_g(encoded_model, tiny_model,
                                                                            tmp_path):
    from dcgan.modeling.checkpoints import load_models
    from dcgan.modeling.encoder import encode
    from dcgan.tools.export import main as export
    assert export([encoded_model, str(tmp_path / "bundle")]) == 0
    bundled, source = load_models(str(tmp_path / "bundle")), load_models(encoded_model)
    assert bundled.encoder is not None
    faces, mask = _held_out_faces(4), np.ones((16, 16), np.float32)
    np.testing.assert_allclose(encode(bundled.encoder, faces, mask).numpy(),
                               encode(source.encoder, faces, mask).numpy(), atol=1e-3)  # float16 both
    assert export([tiny_model, str(tmp_path / "bundle")]) == 0  # another G, no encoder of its own
    assert load_models(str(tmp_path / "bundle")).encoder is None


def test_iterations_and_starts_left_unset_follow_where_the_search_starts(encoded_model):
    from dcgan.modeling.checkpoints import load_models
    from dcgan.options import SearchOptions
    from dcgan.search.batches import settled_search
    model = load_models(encoded_model)
    settled = lambda m, **given: (lambda s: (s.n_iter, s.starts))(settled_search(m, SearchOptions(**given)))
    assert settled(model) == (50, 1)  # from the encoder's z
    assert settled(model, start="random") == (300, 3)
    assert settled(model._replace(encoder=None)) == (300, 3)
    assert settled(model, n_iter=7) == (7, 1) and settled(model, starts=2) == (50, 2)  # given: kept


def test_the_learning_rate_is_the_flags_on_resume_and_decays_to_zero_from_decay_from(tiny_model, tmp_path):
    """A resumed run takes --learning_rate from its flags, not from the checkpoint, and with
    --decay_from it falls linearly to 0 at --max_steps."""
    import glob
    import tensorflow as tf
    from dcgan.modeling.checkpoints import load_models
    from dcgan.options import EncoderTrainOptions
    from dcgan.training.encoder_trainer import train_encoder
    os.makedirs(tmp_path / "faces")
    for path in real_faces(24):
        shutil.copy(path, tmp_path / "faces")
    model = load_models(tiny_model)
    base = dict(dataset=str(tmp_path / "faces"), heldout=8, batch_size=8, encoder_dir=str(tmp_path / "ck"),
                log_dir=str(tmp_path / "logs"), precision="float32", progress=False, sample_every=100)
    train_encoder(model, EncoderTrainOptions(max_steps=4, learning_rate=1e-4, **base), log=lambda m: None)
    train_encoder(model, EncoderTrainOptions(max_steps=8, learning_rate=4e-4, decay_from=4, **base),
                  log=lambda m: None)
    rates = {}
    for events in glob.glob(str(tmp_path / "logs" / "events*")):
        for event in tf.compat.v1.train.summary_iterator(events):
            for value in event.summary.value:
                if value.tag == "learning_rate":
                    rates[event.step] = float(tf.make_ndarray(value.tensor))
    expected = {1: 1e-4, 2: 1e-4, 3: 1e-4, 4: 1e-4, 5: 4e-4, 6: 3e-4, 7: 2e-4, 8: 1e-4}
    assert rates == pytest.approx(expected)
