"""Entry point of ``python -m structural_plasticity``."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
