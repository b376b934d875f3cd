"""Train a DCGAN on a folder of face images.

The tool is `dcgan/tools/train.py`; once installed (`pip install .`) it is also the
`dcgan-train` command. `python train_dcgan.py --help` lists its flags.
"""

import sys

from dcgan.tools.train import main

if __name__ == "__main__":
    sys.exit(main())
