"""Fill the missing part of face images with a trained DCGAN (Yeh, Chen et al., CVPR 2017).

    python complete.py data/examples/*.png --outDir completions --maskType center
    python complete.py my_faces/*.png --maskType mask --maskFile hole.png --nIter 1500

For each batch of images it searches z in [-1, 1] minimising the contextual
loss (L1 on the known pixels) + --lam * the perceptual loss, then
Poisson-blends G(z) into the hole. Ctrl-C stops the search at the next
--outInterval and still writes every output.
"""

import argparse
import os
import signal
import sys

BUNDLED_MODEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models", "celeba64")


def default_checkpoint_dir():
    return BUNDLED_MODEL if os.path.isdir(BUNDLED_MODEL) else "checkpoint"


def parse_args(argv=None):
    from dcgan.cli import add_mask_shape_flags
    from dcgan.masks import MASK_TYPES
    from dcgan.z_search import APPROACHES
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("imgs", nargs="+", metavar="IMAGE",
                   help="images to complete (or folders of them); resized to the model's size if needed")
    p.add_argument("--checkpointDir", default=None,
                   help="model to use: a train_dcgan.py checkpoint folder, a bundled model, or the "
                        "original TF1 code's checkpoint (default: the bundled models/celeba64, "
                        "else 'checkpoint')")
    p.add_argument("--outDir", default="completions", help="where outputs go (default: %(default)s)")
    p.add_argument("--outInterval", type=int, default=50,
                   help="write the current G(z) and completion every N iterations (default: %(default)s)")
    p.add_argument("--imgSize", type=int, default=None,
                   help="kept from the original; the size now comes from the model, and a "
                        "different value is an error")
    p.add_argument("--batchSize", type=int, default=64,
                   help="images searched together; the last batch is padded (default: %(default)s)")
    m = p.add_argument_group("mask")
    m.add_argument("--maskType", default="center", choices=MASK_TYPES,
                   help="center: a centered square; random: --randomFraction of the pixels; left: the "
                        "left half; full: nothing (reconstruction); grid: all but every 4th row and "
                        "column; lowres: all, keeping 8x8 block means; half: the --side half; "
                        "pattern: random blobs (~25%%); mask: --maskFile (default: %(default)s)")
    add_mask_shape_flags(m)
    m.add_argument("--maskFile", help="PNG for --maskType mask: black = missing, resized to the image size")
    l = p.add_argument_group("loss")
    l.add_argument("--lam", type=float, default=0.1,
                   help="weight of the perceptual loss; the paper used 0.003 (default: %(default)s)")
    l.add_argument("--weighted", action="store_true",
                   help="the paper's weighted contextual loss: known pixels near the hole count more")
    l.add_argument("--perceptual", default="original", choices=("original", "paper"),
                   help="original: -log D(G(z)); paper: log(1 - D(G(z))) (default: %(default)s)")
    s = p.add_argument_group("search over z")
    s.add_argument("--approach", default="adam", choices=APPROACHES, help="(default: %(default)s)")
    s.add_argument("--nIter", type=int, default=1000, help="iterations (default: %(default)s)")
    s.add_argument("--lr", type=float, default=0.01, help="step size of adam and momentum (default: %(default)s)")
    s.add_argument("--momentum", type=float, default=0.9, help="momentum (default: %(default)s)")
    s.add_argument("--beta1", type=float, default=0.9, help="Adam beta1 (default: %(default)s)")
    s.add_argument("--beta2", type=float, default=0.999, help="Adam beta2 (default: %(default)s)")
    s.add_argument("--eps", type=float, default=1e-8, help="Adam epsilon (default: %(default)s)")
    s.add_argument("--hmcBeta", type=float, default=0.2, help="HMC inverse temperature (default: %(default)s)")
    s.add_argument("--hmcEps", type=float, default=0.001, help="HMC leapfrog step (default: %(default)s)")
    s.add_argument("--hmcL", type=int, default=100, help="HMC leapfrog steps per iteration (default: %(default)s)")
    s.add_argument("--hmcAnneal", type=float, default=1.0,
                   help="HMC beta is multiplied by this every iteration (default: %(default)s)")
    s.add_argument("--seed", type=int, default=0, help="seed of the start z, random masks and HMC (default: %(default)s)")
    p.add_argument("--blend", default="poisson", choices=("poisson", "none"),
                   help="poisson: match G(z)'s gradients in the hole; none: paste G(z) (default: %(default)s)")
    p.add_argument("--no_progress", action="store_true", help="no progress bar")
    args = p.parse_args(argv)
    for name in ("nIter", "outInterval", "batchSize", "hmcL"):
        if getattr(args, name) < 1:
            p.error(f"--{name} must be at least 1")
    return args


def expand_inputs(args):
    """Image arguments, with folders expanded to the images in them (sorted)."""
    from dcgan.data import IMAGE_EXTENSIONS
    paths = []
    for arg in args:
        if os.path.isdir(arg):
            paths += sorted(os.path.join(arg, f) for f in os.listdir(arg)
                            if f.lower().endswith(IMAGE_EXTENSIONS))
        else:
            paths.append(arg)
    return paths


def main(argv=None):
    from dcgan.cli import fail, import_tensorflow_quietly
    import_tensorflow_quietly()
    args = parse_args(argv)
    from dcgan.errors import UserError
    interrupted = []

    def on_signal(signum, frame):
        if interrupted:
            raise KeyboardInterrupt
        interrupted.append(signum)
        print(f"\n{signal.Signals(signum).name}: stopping at the next --outInterval and writing "
              "the outputs (Ctrl-C again to quit at once)", file=sys.stderr)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    from dcgan.checkpoints import load_models
    from dcgan.completion import CompletionOptions, complete
    from dcgan.z_search import SearchOptions
    paths = expand_inputs(args.imgs)
    if not paths:
        return fail("complete.py", f"no images matched: {' '.join(args.imgs)}")
    try:
        config, generator, discriminator, checkpoint = load_models(args.checkpointDir or default_checkpoint_dir())
        if args.imgSize and args.imgSize != config.image_size:
            raise UserError(f"--imgSize {args.imgSize}, but the model in {checkpoint} makes "
                            f"{config.image_size}x{config.image_size} images (leave --imgSize out)")
        search = SearchOptions(
            approach=args.approach, lr=args.lr, momentum=args.momentum, beta1=args.beta1,
            beta2=args.beta2, eps=args.eps, hmc_beta=args.hmcBeta, hmc_eps=args.hmcEps,
            hmc_l=args.hmcL, hmc_anneal=args.hmcAnneal, lam=args.lam, perceptual=args.perceptual,
            seed=args.seed)
        options = CompletionOptions(
            out_dir=args.outDir, mask_type=args.maskType, center_scale=args.centerScale,
            random_fraction=args.randomFraction, side=args.side, mask_file=args.maskFile,
            weighted=args.weighted, n_iter=args.nIter, out_interval=args.outInterval,
            blend=args.blend, batch_size=args.batchSize, search=search,
            progress=not args.no_progress)
        print(f"model: {checkpoint} ({config.describe()}); {len(paths)} image(s)")
        result = complete(paths, generator, discriminator, options, stop_requested=lambda: bool(interrupted))
    except UserError as e:
        return fail("complete.py", e)
    except KeyboardInterrupt:
        print("complete.py: stopped at once; outputs already written are kept", file=sys.stderr)
        return 130
    print(f"wrote {len(result.completed)} completed image(s) to {os.path.join(args.outDir, 'completed')}")
    return 128 + interrupted[0] if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
