import sys

from suggest.cli import main

sys.exit(main())
