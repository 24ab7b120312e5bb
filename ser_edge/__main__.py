"""``python -m ser_edge`` = the ``ser-edge`` command."""

import sys

from .cli import main

sys.exit(main())
