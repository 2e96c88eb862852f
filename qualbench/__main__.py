import sys

from qualbench.cli import main

sys.exit(main())
