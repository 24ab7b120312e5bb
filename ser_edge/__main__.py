"""``python -m ser_edge`` = the ``ser-edge`` command."""

import sys

from .cli.main import main

sys.exit(main())
