"""`python -m claimkb`: the same as the claimkb command."""
import sys

from .cli import main

sys.exit(main())
