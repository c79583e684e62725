"""`python -m platform_assets.cli`: the `maslow` command."""

import sys

from platform_assets.cli.main import main

sys.exit(main())
