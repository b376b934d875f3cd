"""Measure completion quality on held-out faces: this project's DCGAN completion (Poisson-blended
and pasted) beside classical fills (harmonic, biharmonic, mean colour), with PSNR, SSIM, L1
(whole image and hole) and the landmark error of dlib's 68 points.

    python evaluate.py --images aligned_test/ --maskType center --nIter 1000 --out evaluation

Writes results.md, results.csv and figure_<mask>.png into --out, and prints the table.
"""

import argparse
import os
import sys

from tqdm import tqdm


def parse_args(argv=None):
    from dcgan.cli import add_mask_shape_flags
    from dcgan.masks import MASK_TYPES
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--images", required=True, help="folder of aligned faces (held out from training)")
    p.add_argument("--checkpointDir", default=None, help="model (default: as complete.py)")
    p.add_argument("--maskType", default="center", choices=MASK_TYPES + ("all",),
                   help="a mask of complete.py, or all: center, random, left, half and pattern "
                        "(default: %(default)s)")
    add_mask_shape_flags(p, side="bottom")  # half's left side would repeat the left mask
    p.add_argument("--nIter", type=int, default=1000, help="search iterations (default: %(default)s)")
    p.add_argument("--limit", type=int, default=0, help="use the first N faces (default: all)")
    p.add_argument("--batchSize", type=int, default=64, help="(default: %(default)s)")
    p.add_argument("--lam", type=float, default=0.1, help="perceptual loss weight (default: %(default)s)")
    p.add_argument("--approach", default="adam", choices=("adam", "momentum", "hmc"))
    p.add_argument("--lr", type=float, default=0.01, help="(default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="start z and random masks (default: %(default)s)")
    p.add_argument("--no_landmarks", action="store_true", help="skip the landmark error (dlib)")
    p.add_argument("--out", default="evaluation", help="output folder (default: %(default)s)")
    p.add_argument("--no_progress", action="store_true")
    args = p.parse_args(argv)
    if args.nIter < 1 or args.batchSize < 1 or args.limit < 0:
        p.error("--nIter and --batchSize must be at least 1, --limit not negative")
    return args


def main(argv=None):
    from dcgan.cli import fail, import_tensorflow_quietly
    args = parse_args(argv)
    import_tensorflow_quietly()
    from complete import default_checkpoint_dir, expand_inputs
    from dcgan.checkpoints import load_models
    from dcgan.errors import UserError
    from dcgan.evaluation import ALL_MASKS, evaluate, write_results
    from dcgan.z_search import SearchOptions
    if not os.path.isdir(args.images):
        return fail("evaluate.py", f"no such folder: {args.images}")
    paths = expand_inputs([args.images])
    if args.limit:
        paths = paths[:args.limit]
    if not paths:
        return fail("evaluate.py", f"no images (png, jpg, jpeg, bmp) in {args.images}")
    masks = ALL_MASKS if args.maskType == "all" else (args.maskType,)
    try:
        config, generator, discriminator, checkpoint = load_models(args.checkpointDir or default_checkpoint_dir())
        aligner = None
        if not args.no_landmarks:
            from align.aligner import AlignDlib
            aligner = AlignDlib()
        names = [f"half ({args.side})" if m == "half" else m for m in masks]
        print(f"model: {checkpoint}; {len(paths)} faces; masks: {', '.join(names)}")
        search = SearchOptions(approach=args.approach, lr=args.lr, lam=args.lam, seed=args.seed)
        with tqdm(total=len(paths) * len(masks), desc="evaluating", unit="face",
                  disable=args.no_progress) as bar:
            rows = evaluate(paths, generator, discriminator, search, masks, args.nIter, args.batchSize,
                            aligner=aligner, out_dir=args.out, seed=args.seed, progress=bar.update,
                            mask_options=dict(center_scale=args.centerScale,
                                              random_fraction=args.randomFraction, side=args.side),
                            log=tqdm.write)
    except UserError as e:
        return fail("evaluate.py", e)
    print(write_results(rows, args.out))
    print(f"wrote {os.path.join(args.out, 'results.md')}, results.csv and figure_*.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
