"""The spec's entry point: ``python src/main.py demarrer|etat|prevoir|train|collect-historical``.

Works from a checkout without installing: puts ``src`` on the import path, then hands over to
the one CLI (``finbot.cli.app.main``), so every ``finbot`` command and option works here too.
"""

import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

from finbot.cli.app import main  # noqa: E402  (needs the path above)

if __name__ == "__main__":
    main()
