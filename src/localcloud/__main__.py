"""``python -m localcloud`` is the ``localcloud`` command."""

import sys

from .cli import main

sys.exit(main())
