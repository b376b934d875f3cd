"""Train a DCGAN on a folder of face images (a TF2 port of bamos/dcgan-completion.tensorflow).

    python train_dcgan.py --dataset ../shared/data/celeba_faces64/train --epoch 20
    tensorboard --logdir logs

Ctrl-C saves a checkpoint and stops; the same command again goes on from it.
"""

import argparse
import sys

from dcgan import flags
from dcgan.cli import StopFlag, fail, import_tensorflow_quietly, program_name
from dcgan.errors import UserError
from dcgan.options import TrainOptions
from dcgan.utils.files import check_output_dir

PROGRAM = program_name("train_dcgan.py")


def parse_args(argv=None):
    p = flags.Parser(prog=PROGRAM, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    flags.add_flags(p, TrainOptions)
    args = p.parse_args(argv)
    flags.check(p, args, TrainOptions)
    return args


def main(argv=None):
    args = parse_args(argv)
    stop = StopFlag("saving a checkpoint after this step")
    import_tensorflow_quietly()
    try:
        from dcgan.training.loop import train
        from dcgan.training.progress import NonFiniteLoss
        options = flags.from_args(TrainOptions, args)
        for flag in ("--checkpoint_dir", "--sample_dir", "--log_dir"):
            check_output_dir(getattr(options, flag[2:]), flag)
        result = train(options, stop_requested=stop)
    except UserError as e:
        return fail(PROGRAM, e, TrainOptions)
    except NonFiniteLoss as e:
        print(f"{PROGRAM}: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROGRAM}: stopped without saving; the last checkpoint is kept", file=sys.stderr)
        return 130
    if result.trained:
        print(f"saved {result.checkpoint} ({result.epoch} of {options.epoch} epochs done, "
              f"step {result.step})")
    return stop.exit_status()


if __name__ == "__main__":
    sys.exit(main())
