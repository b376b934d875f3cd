"""Align faces onto OpenFace's template, as OpenFace's util/align-dlib.py.

The tool is `dcgan/tools/align_dlib.py`; once installed (`pip install .`) it is also the
`dcgan-align` command. `python align_dlib.py --help` lists its flags.
"""

import sys

from dcgan.tools.align_dlib import main

if __name__ == "__main__":
    sys.exit(main())
