"""``python -m bench.load``: the served load test (see ``bench/load/run.py``)."""

import sys

from bench.load.run import main

sys.exit(main())
