"""What the command-line tools share: a quiet TensorFlow import and the exit-2 error line."""

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
