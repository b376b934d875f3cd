"""A local web page for completing faces in photos: open a photo, paint over the part to fill,
watch it complete, download the result.

    python serve.py
    # then open http://127.0.0.1:8000

Jobs run one at a time in the background; results live in memory and are gone
when the server stops (Ctrl-C).
"""

import argparse
import os
import sys

from align.aligner import AlignDlib
from dcgan import flags
from dcgan.cli import default_checkpoint_dir, fail, import_tensorflow_quietly, program_name
from dcgan.errors import UserError
from dcgan.options import CompletionOptions, ModelSource, ServeOptions

PROGRAM = program_name("serve.py")
CHECKOUT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The page offers the example faces of the checkout, or those `pip install .` put beside Python.
EXAMPLES = next((folder for folder in (os.path.join(CHECKOUT, "data", "examples"),
                                       os.path.join(sys.prefix, "share", "dcgan-completion", "examples"))
                 if os.path.isdir(folder)), "")
NOT_SERVED = ("out_dir", "img_size", "photo", "box", "progress", "batch_size", "mask_type", "center_scale",
              "random_fraction", "side", "mask_file")


def parse_args(argv=None):
    p = flags.Parser(prog=PROGRAM, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    flags.add_flags(p, ServeOptions)
    flags.add_flags(p, ModelSource)
    flags.add_flags(p, CompletionOptions, skip=NOT_SERVED)
    args = p.parse_args(argv)
    flags.check(p, args, ServeOptions)
    flags.check(p, args, CompletionOptions)
    return args


def main(argv=None):
    args = parse_args(argv)
    import_tensorflow_quietly()
    from dcgan.modeling.checkpoints import load_models
    from dcgan.web.jobs import JobRunner
    from dcgan.web.server import make_server
    serve = flags.from_args(ServeOptions, args)
    try:
        model = load_models(args.checkpoint_dir or default_checkpoint_dir())
        runner = JobRunner(model, flags.from_args(CompletionOptions, args), AlignDlib())
        server = make_server(serve.host, serve.port, runner, EXAMPLES)
    except UserError as e:
        return fail(PROGRAM, e, ServeOptions, ModelSource, CompletionOptions)
    except OSError as e:
        return fail(PROGRAM, f"cannot listen on {serve.host}:{serve.port}: {e.strerror}")
    host, port = server.server_address[:2]
    print(f"model: {model.path}; serving http://{host}:{port} (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print(f"{PROGRAM}: stopped", file=sys.stderr)
    finally:
        runner.stop()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
