"""``python -m syndicate.cli``: the ``syndicate`` command without its console script."""

import sys

from syndicate.cli.main import main

sys.exit(main())
