import sys

from anbao.cli.main import main

sys.exit(main())
