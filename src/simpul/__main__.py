"""The `simpul` command: this project's manage.py."""

import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "simpul.settings")
    argv = list(sys.argv if argv is None else argv)
    from django.conf import settings

    errors = settings.CONFIG_ERRORS
    if errors:
        for line in errors:
            print(f"simpul: {line}", file=sys.stderr)
        sys.exit(2)
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
