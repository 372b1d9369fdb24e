"""The `rasoat` console command: Django's manage.py under the product's name.

`rasoat init`, `rasoat serve`, `rasoat createuser` and every Django command
(`rasoat migrate`, `rasoat shell -c ...`) are management commands, so the
same names work through manage.py too.
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    """Run a management command; argv defaults to the process arguments."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rasoat.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    execute_from_command_line(["rasoat", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
