"""``python -m eda_lab ...`` is the same as the ``eda-lab`` command."""

import sys

from .cli.commands import main

sys.exit(main())
