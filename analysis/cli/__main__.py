"""``python -m analysis.cli``: the same as the ``incident-trends`` command."""

import sys

from analysis.cli import main

sys.exit(main())
