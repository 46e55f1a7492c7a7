"""``python -m casplan …`` is the ``casplan`` command."""

import sys

from casplan.cli import main

sys.exit(main())
