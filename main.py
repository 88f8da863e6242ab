"""Entry point: `python main.py` opens the window; `python main.py --headless ...` does not."""

import sys

from inspector.app import main

if __name__ == "__main__":
    sys.exit(main())
