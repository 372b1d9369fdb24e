#!/usr/bin/env python
"""Django's command-line utility; `rasoat` wraps the same commands."""

import sys

from rasoat.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
