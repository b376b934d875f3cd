"""Fill the missing part of face images with a trained DCGAN (Yeh, Chen et al., CVPR 2017).

    python complete.py data/examples/*.png --outDir completions --maskType center
    python complete.py my_faces/*.png --maskFile hole.png --nIter 1500

For each batch of images it searches z in [-1, 1] minimising the contextual
loss (L1 on the known pixels) + --lam * the perceptual loss, then
Poisson-blends G(z) into the hole. Ctrl-C stops the search at the next
--outInterval and still writes every output.
"""

import argparse
import sys

from dcgan import flags
from dcgan.options import CompletionOptions, ModelSource

PROGRAM = "complete.py"


def parse_args(argv=None):
    from dcgan.cli import resolve_mask_type
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("imgs", nargs="+", metavar="IMAGE",
                   help="images to complete (or folders of them); resized to the model's size if needed")
    flags.add_flags(p, ModelSource)
    flags.add_flags(p, CompletionOptions, overrides={"mask_type": {
        "default": None, "default_text": "center, or mask when --maskFile is given"}})
    args = p.parse_args(argv)
    flags.check(p, args, CompletionOptions)
    resolve_mask_type(p, args)
    return args


def main(argv=None):
    args = parse_args(argv)
    from dcgan.cli import StopFlag, default_checkpoint_dir, fail, import_tensorflow_quietly
    from dcgan.errors import UserError
    from dcgan.files import check_output_dir, expand_inputs
    stop = StopFlag("stopping at the next --outInterval and writing the outputs")
    paths = expand_inputs(args.imgs)
    if not paths:
        return fail(PROGRAM, f"no images matched: {' '.join(args.imgs)}")
    import_tensorflow_quietly()
    from dcgan.checkpoints import load_models
    from dcgan.completion import complete
    options = flags.from_args(CompletionOptions, args)
    try:
        check_output_dir(options.out_dir, "--outDir")
        model = load_models(args.checkpoint_dir or default_checkpoint_dir())
        if options.img_size and options.img_size != model.config.image_size:
            raise UserError(f"--imgSize {options.img_size}, but the model in {model.path} makes "
                            f"{model.config.image_size}x{model.config.image_size} images "
                            "(leave --imgSize out)")
        print(f"model: {model.path} ({model.config.describe()}); {len(paths)} image(s)")
        result = complete(paths, model, options, stop_requested=stop)
    except UserError as e:
        return fail(PROGRAM, e)
    except KeyboardInterrupt:
        print(f"{PROGRAM}: stopped at once; outputs already written are kept", file=sys.stderr)
        return 130
    print(f"wrote {len(result.completed)} completed image(s) to {options.out_dir}/completed")
    return stop.exit_status()


if __name__ == "__main__":
    sys.exit(main())
