import sys

from casplan.cli.main import main

sys.exit(main())
