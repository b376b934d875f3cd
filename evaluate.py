"""Measure completion quality on held-out faces against classical fills.

The tool is `dcgan/tools/evaluate.py`; once installed (`pip install .`) it is also the
`dcgan-evaluate` command. `python evaluate.py --help` lists its flags.
"""

import sys

from dcgan.tools.evaluate import main

if __name__ == "__main__":
    sys.exit(main())
