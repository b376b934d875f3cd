"""What the command-line tools share: a quiet TensorFlow import, the mask-shape flags and the
exit-2 error line."""

import os
import sys
import tempfile


def import_tensorflow_quietly():
    """Imports TensorFlow without the C++ start-up chatter on stderr.

    TensorFlow prints oneDNN/CUDA notices before its log level is read, so the
    import runs with stderr sent to a file that is shown only if the import fails.
    `TF_CPP_MIN_LOG_LEVEL` (default here: 3) still rules the messages after it.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow  # noqa: F401
        except BaseException:
            os.dup2(saved, 2)
            captured.seek(0)
            sys.stderr.write(captured.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def fail(program, message):
    """Prints the one-line error every tool uses for bad input and returns exit status 2."""
    print(f"{program}: error: {message}", file=sys.stderr)
    return 2


def add_mask_shape_flags(parser, side="left"):
    """--centerScale, --randomFraction and --side, as complete.py has them, with `side` the default."""
    from dcgan.masks import SIDES
    parser.add_argument("--centerScale", type=float, default=0.25,
                        help="center misses from scale to 1-scale of each side, at most 0.5 "
                             "(default: %(default)s)")
    parser.add_argument("--randomFraction", type=float, default=0.2,
                        help="share of pixels random misses; the paper used 0.8 (default: %(default)s)")
    parser.add_argument("--side", default=side, choices=SIDES,
                        help="the side half misses (default: %(default)s)")
