"""Train an encoder for a trained model: the search's learned start (in-domain GAN inversion).

    dcgan-train-encoder --checkpointDir checkpoint --dataset aligned
    tensorboard --logdir encoder_logs

It learns z from masked faces (every mask kind complete.py offers, boxes and
brush strokes) against the model's frozen G, on the model's own training
faces. Ctrl-C saves a checkpoint and stops; the same command again goes on
from it. `--install` writes the newest checkpoint's encoder beside the model
(as float16), where complete.py, evaluate.py and serve.py find it.
"""

import argparse
import sys

from dcgan import flags
from dcgan.cli import StopFlag, default_checkpoint_dir, fail, import_tensorflow_quietly, program_name
from dcgan.errors import UserError
from dcgan.options import EncoderTrainOptions, ModelSource

PROGRAM = program_name("python -m dcgan.tools.train_encoder")


def parse_args(argv=None):
    p = flags.Parser(prog=PROGRAM, description=__doc__,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    flags.add_flags(p, ModelSource)
    flags.add_flags(p, EncoderTrainOptions)
    p.add_argument("--install", action="store_true",
                   help="write the newest checkpoint's encoder beside the model instead of training")
    args = p.parse_args(argv)
    flags.check(p, args, EncoderTrainOptions)
    if not args.install and not args.dataset:
        p.error("--dataset FACES is needed to train (the model's own aligned training faces)")
    return args


def main(argv=None):
    args = parse_args(argv)
    stop = StopFlag("saving a checkpoint after this step")
    options = flags.from_args(EncoderTrainOptions, args)
    import_tensorflow_quietly()
    from dcgan.modeling.checkpoints import load_models
    from dcgan.training.encoder_trainer import install_encoder, train_encoder
    try:
        model_dir = args.checkpoint_dir or default_checkpoint_dir()
        model = load_models(model_dir)
        if args.install:
            print(f"wrote {install_encoder(model, model_dir, options)}")
            return 0
        result = train_encoder(model, options, stop_requested=stop)
    except UserError as e:
        return fail(PROGRAM, e, EncoderTrainOptions, ModelSource)
    except KeyboardInterrupt:
        print(f"{PROGRAM}: stopped without saving; the last checkpoint is kept", file=sys.stderr)
        return 130
    print(f"saved {result.checkpoint} (step {result.step} of {options.max_steps})")
    return stop.exit_status()


if __name__ == "__main__":
    sys.exit(main())
