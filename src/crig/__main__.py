"""The ``crig`` console command: Django's management commands and the project's own.

``crig demo``, ``crig territory load``, ``crig migrate``, ``crig runserver``…
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crig.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "crig"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
