"""Fill the missing part of face images with a trained DCGAN (Yeh, Chen et al., CVPR 2017).

    python complete.py data/examples/*.png --outDir completions --maskType center
    python complete.py my_faces/*.png --maskFile hole.png --nIter 1500
    python complete.py photo.jpg --box 120,200,80,40 --outDir out
    python complete.py erased.png --outDir out       # a photo whose hole is transparent

For each batch of aligned faces it searches z in [-1, 1], from the z the
model's encoder reads off each masked face (--start; the bundled model has
one) or from --starts random points per face, minimising the contextual loss
(L1 on the known pixels) + --lam * the perceptual loss, fills the hole with
the generated face (the mean of the starts', --startsFill), optionally after
tuning each face's own copy of G's last layers to its known pixels
(--tuneIter), then Poisson-blends the fill into the hole. A photo (any input
whose size is not the model's, or every input with --photo) has its hole given
in its own pixels: the faces the hole touches are found, aligned, completed and
put back at the photo's size. Ctrl-C stops the search within a few iterations
and still writes every output.
"""

import argparse
import dataclasses
import os
import sys

from tqdm import tqdm

from align.aligner import AlignDlib
from dcgan import flags
from dcgan.cli import (StopFlag, default_checkpoint_dir, fail, import_tensorflow_quietly, program_name,
                       resolve_mask_type)
from dcgan.hole.photo_hole import marks_its_hole, parse_box
from dcgan.completion.inputs import input_sizes, split_photos
from dcgan.errors import UserError, name_some
from dcgan.options import CompletionOptions, ModelSource
from dcgan.utils.files import StagedFolder, check_output_dir, expand_inputs

PROGRAM = program_name("complete.py")
OUTPUTS = ("before.png", "masked.png", "comparison.png", "completion.gif", "hats_imgs", "snapshots",
           "completed", "logs", "batch_[0-9]*", "comparison", "aligned")  # what a run writes in --outDir


def parse_args(argv=None):
    p = flags.Parser(prog=PROGRAM, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("imgs", nargs="+", metavar="IMAGE",
                   help="aligned faces or photos to complete (or folders of them)")
    flags.add_flags(p, ModelSource)
    flags.add_flags(p, CompletionOptions, overrides={"mask_type": {
        "default": None, "default_text": "center, or mask when --maskFile is given"}})
    args = p.parse_args(_box_value_joined(sys.argv[1:] if argv is None else argv))
    flags.check(p, args, CompletionOptions)
    resolve_mask_type(p, args)
    if args.box is not None:  # before TensorFlow loads: a wrong box is told at once
        try:
            parse_box(args.box)
        except UserError as e:
            p.error(f"--box {e.problem}")
    return args


def _box_value_joined(argv):
    """`--box -10,300,250,120` as `--box=-10,...`: argparse takes a value starting with - for a flag."""
    joined, words = [], iter(argv)
    for word in words:
        value = next(words, None) if word == "--box" else None
        joined.append(f"--box={value}" if value is not None else word)
    return joined


def main(argv=None):
    args = parse_args(argv)
    stop = StopFlag("stopping within a few iterations and writing the outputs")
    options = flags.from_args(CompletionOptions, args)
    try:
        sizes = _checked_inputs(args.imgs, options)
    except UserError as e:
        return fail(PROGRAM, e, CompletionOptions)
    import_tensorflow_quietly()
    from dcgan.modeling.checkpoints import load_models
    from dcgan.search.batches import settled_options
    try:
        model = load_models(args.checkpoint_dir or default_checkpoint_dir())
        options = settled_options(model, options)  # --start checked before any output is staged
        if options.img_size and options.img_size != model.config.image_size:
            raise UserError(f"--imgSize {options.img_size}, but the model in {model.path} makes "
                            f"{model.config.image_size}x{model.config.image_size} images "
                            "(leave --imgSize out)")
        crops, photos = split_photos(sizes, model.config.image_size)
        _check_photo_holes(photos, options)
        print(f"model: {model.path} ({model.config.describe()}); {len(crops)} aligned face(s), "
              f"{len(photos)} photo(s)")
        with StagedFolder(options.out_dir, OUTPUTS) as staged:
            print(f"writing into {os.path.relpath(staged.path)} while it runs; moved into "
                  f"{options.out_dir} at the end")
            status = _complete_all(crops, photos, model, options, staged, stop)
    except UserError as e:
        return fail(PROGRAM, e, CompletionOptions, ModelSource)
    except KeyboardInterrupt:
        print(f"{PROGRAM}: stopped at once; {options.out_dir} is left as it was", file=sys.stderr)
        return 130
    return stop.exit_status(status)


def _complete_all(crops, photos, model, options, staged, stop):
    """Completes into the staging folder; keeps it only if something was completed.

    Returns:
      0, or 2 when a photo failed (each photo fails alone).
    """
    from dcgan.completion.faces import complete
    staged_options = dataclasses.replace(options, out_dir=staged.path)
    written = []
    if crops:
        result = complete(crops, model, staged_options, stop_requested=stop)
        written += list(result.completed.values())
        print(f"wrote {len(result.completed)} completed face(s) to {options.out_dir}/completed")
    status = 0
    if photos:
        status, done = _complete_photos(photos, model, staged_options, stop)
        written += done
        for path in done:
            print(f"wrote {staged.final(path)}")
    staged.keep = bool(written)
    if not written:
        print(f"{PROGRAM}: nothing was completed; {options.out_dir} is left as it was", file=sys.stderr)
    return status


def _checked_inputs(arguments, options):
    """The inputs' sizes, once every file exists and decodes and --outDir can be written:
    told in a moment, before TensorFlow and the model load."""
    paths = expand_inputs(arguments)
    if not paths:
        raise UserError(f"no images matched: {' '.join(arguments)}")
    missing = [path for path in paths if not os.path.isfile(path)]
    if len(missing) == len(paths):  # photos fail one by one, but with none there is nothing to do
        raise UserError(f"no such file: {name_some(missing)}")
    check_output_dir(options.out_dir, "--outDir")
    return input_sizes(paths, options)


def _check_photo_holes(photos, options):
    """Refuses photos with no hole given, once for all and before any search runs."""
    if photos and not (options.box or options.mask.mask_file or any(map(marks_its_hole, photos))):
        raise UserError(f"say where the hole is in the photo(s) {name_some(photos)}, in their "
                        "pixels: --box x,y,w,h, or --maskFile (black = missing, the photo's "
                        "size), or erase it to transparent in the photo (PNG)")


def _complete_photos(photos, model, options, stop):
    """Each photo on its own: one that fails is one line, and the others still complete.

    Returns:
      (exit status, the completed photos' paths).
    """
    from dcgan.completion.photos import complete_photo
    aligner, status, done = AlignDlib(), 0, []
    for path in photos:
        if stop():
            break
        try:
            with tqdm(desc=os.path.basename(path), unit="step", disable=not options.progress,
                      dynamic_ncols=True, leave=False) as bar:
                done.append(complete_photo(path, model, options, aligner, options.out_dir,
                                           log=tqdm.write, progress=bar.update, stop_requested=stop,
                                           expect_steps=lambda steps: bar.reset(total=steps)))
        except UserError as e:
            status = fail(PROGRAM, e, CompletionOptions)
    return status, done


if __name__ == "__main__":
    sys.exit(main())
