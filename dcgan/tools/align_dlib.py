"""Align faces as OpenFace's util/align-dlib.py: dlib landmarks warped onto OpenFace's template.

    python align_dlib.py INPUT_DIR align innerEyesAndBottomLip OUTPUT_DIR --size 64
    python align_dlib.py INPUT_DIR computeMean

(`dcgan-align` once installed.)

Outputs mirror the input's subfolders as OUTPUT_DIR/<subfolder>/<stem>.png;
images already aligned there are skipped, so an interrupted run goes on where
it stopped.
"""

import argparse
import os
import sys

from tqdm import tqdm

from align.aligner import AlignDlib, AlignError, default_predictor_path
from align.template import LANDMARK_INDICES
from dcgan import cli, flags
from dcgan.alignment.folders import align_folder, mean_landmarks
from dcgan.errors import UserError
from dcgan.utils.files import check_output_dir, list_files

PROGRAM = cli.program_name("align_dlib.py")


def fail(message):
    return cli.fail(PROGRAM, message)


def parse_args(argv=None):
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--dlibFacePredictor", default=argparse.SUPPRESS,
                        help="dlib 68-landmark shape predictor (default: the one shipped by "
                             "the face-recognition-models package)")
    common.add_argument("--workers", type=int, default=argparse.SUPPRESS,
                        help="processes (default: all cores)")
    common.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="name every image with no face, several faces or that does not decode")
    common.add_argument("--numImages", type=int, default=argparse.SUPPRESS,
                        help="use only this many photos (default: all): align takes the first N "
                             "in sorted order (a quick try), computeMean a random sample")
    parser = flags.Parser(
        prog=PROGRAM, description=__doc__, parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputDir", help="folder of photos, searched recursively")
    modes = parser.add_subparsers(dest="mode", required=True, metavar="{align,computeMean}")
    a = modes.add_parser("align", parents=[common], help="write one aligned PNG per face")
    a.add_argument("landmarks", choices=sorted(LANDMARK_INDICES),
                   help="the three landmarks put on the template")
    a.add_argument("outputDir", help="where the aligned faces go")
    a.add_argument("--size", type=int, default=96, help="side of the aligned face in pixels (default: 96)")
    a.add_argument("--fallbackLfw", metavar="DIR",
                   help="when no face is found, copy DIR/<subfolder>/<stem>.jpg instead")
    a.add_argument("--skipMulti", action="store_true",
                   help="skip images with several faces (default: take the largest)")
    m = modes.add_parser("computeMean", parents=[common],
                         help="print the mean (and std) min-max normalised 68 landmarks as CSV")
    m.add_argument("landmarks", nargs="?", choices=sorted(LANDMARK_INDICES),
                   help="accepted for symmetry with align; the mean covers all 68 landmarks")
    args = parser.parse_args(argv)
    args.dlibFacePredictor = getattr(args, "dlibFacePredictor", None)
    args.workers = getattr(args, "workers", None) or os.cpu_count() or 1
    args.verbose = getattr(args, "verbose", False)
    args.numImages = getattr(args, "numImages", 0)
    if args.numImages < 0:
        parser.error("--numImages must be at least 0")
    if args.mode == "align" and args.size < 1:
        parser.error("--size must be at least 1")
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    if not os.path.isdir(args.inputDir):
        return fail(f"no such folder: {args.inputDir}")
    if args.mode == "align":
        try:
            check_output_dir(args.outputDir, "outputDir")
        except UserError as e:
            return fail(e)
    total = len(list_files(args.inputDir, exclude=args.outputDir if args.mode == "align" else None))
    if args.numImages:
        total = min(total, args.numImages)
    if not total:  # a wrong folder, most likely: say so rather than "aligned 0"
        return fail(f"no files in {args.inputDir}")
    predictor = args.dlibFacePredictor or default_predictor_path()

    def report(status, path, detail):
        if args.verbose and status not in ("aligned", "exists", "face"):
            tqdm.write(f"{status}: {path}" + (f" ({detail})" if detail else ""), file=sys.stderr)

    try:
        aligner = AlignDlib(predictor)
        if args.mode == "align":
            return _align(args, aligner, predictor, report, total)
        return _compute_mean(args, aligner, predictor, report, total)
    except AlignError as e:
        return fail(e)
    except KeyboardInterrupt:
        print("\ninterrupted: what was aligned is kept; run the same command again to go on",
              file=sys.stderr)
        return 130


def _align(args, aligner, predictor, report, total):
    if args.fallbackLfw and not os.path.isdir(args.fallbackLfw):
        return fail(f"no such folder: {args.fallbackLfw}")
    with tqdm(total=total, desc="aligning", unit="img", file=sys.stderr) as bar:
        counts = align_folder(
            args.inputDir, args.outputDir, args.size, LANDMARK_INDICES[args.landmarks], aligner,
            predictor_path=predictor, skip_multi=args.skipMulti, fallback_dir=args.fallbackLfw,
            workers=args.workers, progress=lambda: bar.update(1), report=report,
            limit=args.numImages)
    line = (f"aligned {counts['aligned']}, skipped (exists) {counts['exists']}, "
            f"no face {counts['no face']}, several faces {counts['several faces']}, "
            f"unreadable {counts['unreadable']}")
    if args.fallbackLfw:
        line += f", fallbacks {counts['fallback']}"
    print(line)
    if not counts["aligned"] + counts["exists"] + counts.get("fallback", 0):
        return fail(f"nothing was aligned: no face found in any image of {args.inputDir}"
                    + ("" if args.verbose else " (--verbose names each file)"))
    return 0


def _compute_mean(args, aligner, predictor, report, total):
    with tqdm(total=total, desc="landmarks", unit="img", file=sys.stderr) as bar:
        mean, std, counts = mean_landmarks(
            args.inputDir, aligner, predictor_path=predictor, num_images=args.numImages,
            workers=args.workers, progress=lambda: bar.update(1), report=report)
    if mean is None:
        return fail(f"no face found in {args.inputDir}")
    print("index,x,y,std_x,std_y")
    for i, ((x, y), (sx, sy)) in enumerate(zip(mean, std)):
        print(f"{i},{x:.6f},{y:.6f},{sx:.6f},{sy:.6f}")
    print(f"{counts['face']} faces, no face {counts['no face']}, unreadable {counts['unreadable']}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
