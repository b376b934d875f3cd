"""The local web page: paint a hole over a photo and watch it fill in.

The tool is `dcgan/tools/serve.py`; once installed (`pip install .`) it is also the
`dcgan-serve` command. `python serve.py --help` lists its flags.
"""

import sys

from dcgan.tools.serve import main

if __name__ == "__main__":
    sys.exit(main())
