"""Bundle a trained model for completion: G and D (and the encoder installed beside the
checkpoint, if any) only, float16 by default.

    python -m dcgan.tools.export checkpoint dcgan/models/celeba64

`complete.py --checkpointDir dcgan/models/celeba64` (or no flag, for dcgan/models/celeba64) reads it.
"""

import argparse
import os
import sys

from dcgan import flags
from dcgan.cli import fail, import_tensorflow_quietly, program_name
from dcgan.errors import UserError
from dcgan.utils.files import StagedFolder, check_output_dir

PROGRAM = program_name("python -m dcgan.tools.export")
OUTPUTS = ("model.*", "config.json", "checkpoint", "encoder")  # a bundle's files


def main(argv=None):
    p = flags.Parser(prog=PROGRAM, description=__doc__,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint_dir", help="a train_dcgan.py checkpoint folder (or the original's)")
    p.add_argument("out_dir", help="where the bundle goes")
    p.add_argument("--dtype", default="float16", choices=("float16", "float32"),
                   help="storage type of the weights (default: %(default)s)")
    p.add_argument("--raw", action="store_true",
                   help="bundle the trained generator, not its average of an --ema run")
    args = p.parse_args(argv)
    import_tensorflow_quietly()
    from dcgan.modeling.checkpoints import export_model, provenance
    try:
        check_output_dir(args.out_dir, "out_dir")
        with StagedFolder(args.out_dir, OUTPUTS) as staged:
            prefix = staged.final(export_model(args.checkpoint_dir, staged.path, args.dtype, args.raw))
    except UserError as e:
        return fail(PROGRAM, e)
    size = sum(os.path.getsize(os.path.join(folder, name))
               for folder, _, names in os.walk(args.out_dir) for name in names)
    encoder = " and its encoder" if os.path.isdir(os.path.join(args.out_dir, "encoder")) else ""
    print(f"wrote {prefix}{encoder} ({size / 1e6:.1f} MB in {args.out_dir})")
    _warn_without_flags(provenance(prefix), args.checkpoint_dir)
    return 0


def _warn_without_flags(made, checkpoint_dir):
    """A training checkpoint copied away from its run's training.json loses the flags and data
    folders from the bundle's provenance (`made`); say so, since nothing else would."""
    if made.get("step") is not None and "training" not in made:
        print(f"warning: no training.json beside the checkpoint in {checkpoint_dir}: the bundle "
              "does not say which flags and data trained it (copy it from the run's checkpoint "
              "folder and export again)", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
