"""Fill the missing part of face images or photos with a trained DCGAN (Yeh, Chen et al.).

The tool is `dcgan/tools/complete.py`; once installed (`pip install .`) it is also the
`dcgan-complete` command. `python complete.py --help` lists its flags.
"""

import sys

from dcgan.tools.complete import main

if __name__ == "__main__":
    sys.exit(main())
