"""Measure completion quality on held-out faces: this project's DCGAN completion (Poisson-blended
and pasted) beside classical fills (harmonic, biharmonic, mean colour), with PSNR, SSIM, L1
(whole image and hole), the landmark error of dlib's 68 points, the identity distance of
dlib's face recognition network and the seconds per face.

    python evaluate.py --images aligned_test/ --maskType center --nIter 1000 --out evaluation

Writes results.md, results.csv, faces.csv (every value per face, for paired
comparisons: python -m dcgan.tools.paired), model.json (the model and how it was
made) and figure_<mask>.png into --out, and prints the table. Ctrl-C stops the search and
writes the results so far: the masks done, and of the one under way the faces
of its batches searched to the end.
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
from dcgan.errors import UserError
from dcgan.options import MASK_TYPES, CompletionOptions, EvaluationOptions, ModelSource
from dcgan.utils.files import StagedFolder, check_output_dir, list_images

PROGRAM = program_name("evaluate.py")
OUTPUTS = ("results.md", "results.csv", "faces.csv", "model.json", "figure_*.png")


def parse_args(argv=None):
    p = flags.Parser(prog=PROGRAM, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    flags.add_flags(p, ModelSource)
    flags.add_flags(p, EvaluationOptions, overrides={
        "mask_type": {"default": None, "choices": MASK_TYPES + ("all",),
                      "default_text": "center, or mask when --maskFile is given",
                      "help": "a mask of complete.py, or all: center, random, left, half and "
                              "pattern"},
        "side": {"default": "bottom"}})  # half's left side would repeat the left mask
    args = p.parse_args(argv)
    flags.check(p, args, EvaluationOptions)
    if (args.images is None) == (args.photos is None):
        p.error("give --images (aligned faces) or --photos (whole photos), held out from training")
    resolve_mask_type(p, args)
    return args


def main(argv=None):
    args = parse_args(argv)
    options = flags.from_args(EvaluationOptions, args)
    stop = StopFlag("stopping the search and writing the results of the faces done")
    folder = options.photos or options.images
    try:
        check_output_dir(options.out, "--out")
        paths = list_images(folder)[:options.limit or None]
        import_tensorflow_quietly()
        from dcgan.modeling.checkpoints import load_models
        from dcgan.search.batches import settled_options
        from dcgan.evaluation.benchmark import write_results
        model = load_models(args.checkpoint_dir or default_checkpoint_dir())
        options = settled_options(model, options)  # --start checked before any output is staged
        aligner = AlignDlib() if options.landmarks or options.photos else None
        with StagedFolder(options.out, OUTPUTS) as staged:
            staged_options = dataclasses.replace(options, out=staged.path)
            rows = (_photos if options.photos else _faces)(paths, model, staged_options, aligner, stop)
            staged.keep = bool(rows)
            if rows:
                names = [os.path.relpath(path, folder) for path in paths]
                print(write_results(rows, staged.path, model, faces=names))
    except UserError as e:
        return fail(PROGRAM, e, EvaluationOptions, ModelSource)
    except KeyboardInterrupt:
        print(f"{PROGRAM}: stopped at once; {options.out} is left as it was", file=sys.stderr)
        return 130
    if rows:
        print(f"wrote {os.path.join(options.out, 'results.md')}, results.csv, faces.csv, model.json "
              "and figure_*.png")
    return stop.exit_status()


def _faces(paths, model, options, aligner, stop):
    """The aligned faces under each mask of --maskType: the evaluation's rows."""
    from dcgan.evaluation.benchmark import evaluate, mask_types
    masks = mask_types(options.mask.mask_type)
    names = [f"half ({options.mask.side})" if m == "half" else m for m in masks]
    print(f"model: {model.path}; {len(paths)} faces; masks: {', '.join(names)}")
    with tqdm(total=len(paths) * len(masks), desc="evaluating", unit="face",
              disable=not options.progress) as bar:
        return evaluate(paths, model, options, aligner=aligner, progress=bar.update, log=tqdm.write,
                        stop_requested=stop)


def _photos(paths, model, options, aligner, stop):
    """The whole photos under each hole kind, at their own size: the rows, and a figure per kind."""
    from dcgan.evaluation.photo_benchmark import HOLE_KINDS, evaluate_photos, save_figure
    print(f"model: {model.path}; {len(paths)} photos; holes: {', '.join(HOLE_KINDS)}")
    completion = CompletionOptions(search=options.search, progress=False)
    with tqdm(total=len(paths) * len(HOLE_KINDS), desc="evaluating", unit="hole",
              disable=not options.progress) as bar:
        rows, shown = evaluate_photos(paths, model, completion, aligner, progress=bar.update,
                                      log=tqdm.write, stop_requested=stop)
    for kind, photos in shown.items():
        if photos:
            save_figure(photos, os.path.join(options.out, f"figure_photo_{kind}.png"))
    return rows


if __name__ == "__main__":
    sys.exit(main())
