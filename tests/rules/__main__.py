"""python -m tests.rules [R07 …]: see tests/rules/runner.py."""

import sys

from tests.rules.runner import main

sys.exit(main())
