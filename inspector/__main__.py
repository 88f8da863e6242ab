"""``python -m inspector``: the same command as ``main.py`` and ``request-inspector``."""

import sys

from inspector.app import main

if __name__ == "__main__":
    sys.exit(main())
