"""Train a DCGAN on a folder of face images (a TF2 port of bamos/dcgan-completion.tensorflow).

    python train_dcgan.py --dataset ../shared/data/celeba_faces64/train --epoch 20
    tensorboard --logdir logs

Ctrl-C saves a checkpoint and stops; the same command again goes on from it.
"""

import argparse
import signal
import sys


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    d = p.add_argument_group("data")
    d.add_argument("--dataset", default="lfw-aligned-64",
                   help="folder of training images, searched recursively for png/jpg/jpeg/bmp "
                        "(default: %(default)s)")
    d.add_argument("--train_size", type=int, default=0,
                   help="use at most this many images (default: all)")
    d.add_argument("--is_crop", action="store_true",
                   help="center-crop each image to --crop_size before resizing (for CelebA-style photos)")
    d.add_argument("--crop_size", type=int, default=108,
                   help="side of the center crop under --is_crop (default: %(default)s)")
    d.add_argument("--flip", action="store_true",
                   help="mirror a random half of each batch left-right (default: off, as the original)")
    d.add_argument("--heldout", type=int, default=0, metavar="N",
                   help="keep N images out of training and log D's mean output on them "
                        "(d_heldout) beside the same on N training images (d_train_fixed) "
                        "in TensorBoard, so that D over-fitting shows (default: 0)")
    m = p.add_argument_group("model (stored with the checkpoint; a resumed run must match)")
    m.add_argument("--image_size", type=int, default=64,
                   help="height and width of the images, a power of two from 8 up (default: %(default)s)")
    m.add_argument("--z_dim", type=int, default=100, help="size of the latent z (default: %(default)s)")
    m.add_argument("--gf_dim", type=int, default=64,
                   help="channels of G's last hidden layer; doubled each layer up (default: %(default)s)")
    m.add_argument("--df_dim", type=int, default=64,
                   help="channels of D's first layer; doubled each layer down (default: %(default)s)")
    t = p.add_argument_group("training")
    t.add_argument("--epoch", type=int, default=25, help="epochs to train in all (default: %(default)s)")
    t.add_argument("--learning_rate", type=float, default=0.0002,
                   help="Adam learning rate of both networks (default: %(default)s)")
    t.add_argument("--beta1", type=float, default=0.5, help="Adam beta1 (default: %(default)s)")
    t.add_argument("--batch_size", type=int, default=64, help="images per step (default: %(default)s)")
    t.add_argument("--seed", type=int, default=0,
                   help="seed of the file order, shuffling, z and the sample z (default: %(default)s)")
    t.add_argument("--ema", type=float, default=0.0, metavar="DECAY",
                   help="keep an exponential moving average of G's weights with this decay "
                        "(for example 0.999): used for samples and TensorBoard and exported "
                        "as the bundle's G (default: 0, off)")
    t.add_argument("--max_steps", type=int, default=0,
                   help="stop (with a checkpoint) after this many steps in all (default: no limit)")
    x = p.add_argument_group("devices (see README: more GPUs and machines)")
    x.add_argument("--strategy", default="auto", choices=("auto", "one", "mirrored", "multiworker"),
                   help="auto: multiworker when TF_CONFIG is set, mirrored when several GPUs are "
                        "visible, else one device; mirrored: tf.distribute.MirroredStrategy over "
                        "--gpus; multiworker: tf.distribute.MultiWorkerMirroredStrategy over the "
                        "TF_CONFIG cluster (default: %(default)s)")
    x.add_argument("--gpus", default=None,
                   help="GPUs for mirrored, as indices like 0,1 (default: all visible)")
    x.add_argument("--mixed_precision", action="store_true",
                   help="GPU only: mixed_float16 compute with loss scaling; weights stay float32")
    x.add_argument("--xla", action="store_true",
                   help="GPU only: compile the train step with XLA (3x slower on the CPU, so refused there)")
    o = p.add_argument_group("outputs")
    o.add_argument("--checkpoint_dir", default="checkpoint",
                   help="checkpoints and config.json; resumed from when present (default: %(default)s)")
    o.add_argument("--sample_dir", default="samples",
                   help="sample grids train_EE_SSSS.png (default: %(default)s)")
    o.add_argument("--log_dir", default="logs", help="TensorBoard logs (default: %(default)s)")
    o.add_argument("--sample_every", type=int, default=100,
                   help="write a sample grid every N steps (default: %(default)s)")
    o.add_argument("--save_every", type=int, default=500,
                   help="write a checkpoint every N steps, and at every epoch's end (default: %(default)s)")
    o.add_argument("--hist_every", type=int, default=100,
                   help="write TensorBoard histograms every N steps (default: %(default)s)")
    o.add_argument("--no_progress", action="store_true", help="no progress bars")
    args = p.parse_args(argv)
    for name in ("epoch", "batch_size", "sample_every", "save_every", "hist_every", "crop_size"):
        if getattr(args, name) < 1:
            p.error(f"--{name} must be at least 1")
    if not 0 <= args.ema < 1:
        p.error("--ema must be in [0, 1)")
    for name in ("train_size", "max_steps", "heldout"):
        if getattr(args, name) < 0:
            p.error(f"--{name} must not be negative")
    if args.learning_rate <= 0 or not 0 <= args.beta1 < 1:
        p.error("--learning_rate must be positive and --beta1 in [0, 1)")
    return args


class StopFlag:
    """Set by the first SIGINT or SIGTERM; a second SIGINT stops at once."""

    def __init__(self):
        self.signal = None
        signal.signal(signal.SIGINT, self._handle)
        signal.signal(signal.SIGTERM, self._handle)

    def _handle(self, signum, frame):
        if self.signal is not None and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.signal = signum
        print(f"\n{signal.Signals(signum).name}: saving a checkpoint after this step "
              "(Ctrl-C again to quit without saving)", file=sys.stderr)

    def __call__(self):
        return self.signal is not None


def main(argv=None):
    args = parse_args(argv)
    stop = StopFlag()
    from dcgan.cli import fail, import_tensorflow_quietly
    from dcgan.errors import UserError
    import_tensorflow_quietly()
    try:
        import tensorflow as tf

        from dcgan.config import ModelConfig
        from dcgan.distribute import make_strategy
        from dcgan.training_loop import NonFiniteLoss, TrainOptions, train
        devices = [f"/gpu:{i.strip()}" for i in args.gpus.split(",")] if args.gpus else None
        strategy = make_strategy(args.strategy, devices)
        if (args.mixed_precision or args.xla) and not tf.config.list_logical_devices("GPU"):
            raise UserError("--mixed_precision and --xla need a GPU; none is visible "
                            "(pip install 'tensorflow[and-cuda]==2.21.*' for CUDA)")
        model = ModelConfig(image_size=args.image_size, z_dim=args.z_dim,
                            gf_dim=args.gf_dim, df_dim=args.df_dim)
        options = TrainOptions(
            dataset=args.dataset, model=model, epoch=args.epoch, learning_rate=args.learning_rate,
            beta1=args.beta1, train_size=args.train_size, batch_size=args.batch_size,
            is_crop=args.is_crop, crop_size=args.crop_size, checkpoint_dir=args.checkpoint_dir,
            sample_dir=args.sample_dir, log_dir=args.log_dir, sample_every=args.sample_every,
            save_every=args.save_every, hist_every=args.hist_every, seed=args.seed,
            max_steps=args.max_steps, mixed_precision=args.mixed_precision, xla=args.xla,
            progress=not args.no_progress, flip=args.flip, ema=args.ema, heldout=args.heldout)
        result = train(options, stop_requested=stop, strategy=strategy)
    except UserError as e:
        return fail("train_dcgan.py", e)
    except NonFiniteLoss as e:
        print(f"train_dcgan.py: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("train_dcgan.py: stopped without saving; the last checkpoint is kept", file=sys.stderr)
        return 130
    print(f"saved {result.checkpoint} (epoch {result.epoch}, step {result.step})")
    if result.interrupted:
        return 128 + stop.signal
    return 0


if __name__ == "__main__":
    sys.exit(main())
