"""PovDesk: with no command, the desktop application; with a command, the admin CLI (`python main.py --help`)."""

import sys

from povdesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
