"""What the command-line tools share: a quiet TensorFlow import, the exit-2 error line, the
default model and the stop signals."""

import os
import signal
import sys
import tempfile

from dcgan.flags import flag_name


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


def program_name(script):
    """How the tool was started, for its messages: `dcgan-complete` as a command, else `script`
    (`complete.py`; also under `python -m` and when called in-process)."""
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return name if name.startswith("dcgan-") else script


def fail(program, message, *option_classes):
    """Prints the one-line error every tool uses for bad input and returns exit status 2.

    An `OptionError` names the flag of its option in `option_classes`, the tool's option
    dataclasses; without one there, its field name.
    """
    flag = next(filter(None, (flag_name(cls, getattr(message, "option", None))
                              for cls in option_classes)), None)
    print(f"{program}: error: {f'{flag} {message.problem}' if flag else message}", file=sys.stderr)
    return 2


BUNDLED_MODEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models", "celeba64")


def default_checkpoint_dir():
    """The bundled model where it is, else the original's `checkpoint`."""
    return BUNDLED_MODEL if os.path.isdir(BUNDLED_MODEL) else "checkpoint"


class StopFlag:
    """Set by the first SIGINT (Ctrl-C) or SIGTERM; a second SIGINT stops at once.

    Every tool does the same: the first signal asks the work to stop at its next
    safe point and keep everything done so far; the second raises
    KeyboardInterrupt. A tool started with SIGINT ignored (`nohup`, `&` in a
    script) leaves it ignored, as POSIX shells intend; SIGTERM still stops it.

    Args:
      what: what happens on the first signal, for the message ("saving a
        checkpoint after this step").
    """

    def __init__(self, what):
        self.what = what
        self.signal = None
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            signal.signal(signal.SIGINT, self._handle)
        signal.signal(signal.SIGTERM, self._handle)

    def _handle(self, signum, frame):
        if self.signal is not None and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.signal = signum
        print(f"\n{signal.Signals(signum).name}: {self.what} (Ctrl-C again to quit at once)",
              file=sys.stderr)

    def __call__(self):
        return self.signal is not None

    def exit_status(self, ok=0):
        """128 + the signal's number after a stop, as shells expect; `ok` otherwise."""
        return 128 + self.signal if self.signal is not None else ok


def resolve_mask_type(parser, args):
    """--maskFile alone means --maskType mask; with another --maskType it is refused.

    The parser's --maskType default is None so that a type given on purpose is told apart. A
    missing --maskFile is refused here, before the model loads.
    """
    if args.mask_type == "mask" and not args.mask_file:
        parser.error("--maskType mask needs --maskFile PATH")
    if args.mask_file and args.mask_type not in (None, "mask"):
        parser.error(f"--maskFile goes with --maskType mask, not {args.mask_type}")
    if args.mask_file and not os.path.exists(args.mask_file):
        parser.error(f"--maskFile {args.mask_file}: no such file or folder")
    if args.mask_type is None:
        args.mask_type = "mask" if args.mask_file else "center"
