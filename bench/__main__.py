"""Run every benchmark module in bench/ (or those named on the command line)."""

import importlib
import pkgutil
import sys
from pathlib import Path

SKIP = {"common", "__main__", "summary_queries"}


def main(names: list[str]) -> int:
    from bench.common import setup_django

    setup_django()
    available = sorted(
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if m.name not in SKIP and not m.name.startswith("_")
    )
    for name in names or available:
        print(f"== bench/{name}.py")
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
