"""``python -m neuronet`` is the ``neuronet`` command."""
import sys

from .cli import main

sys.exit(main())
