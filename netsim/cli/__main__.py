"""``python -m netsim.cli``: the same as the ``netsim`` command."""

from netsim.cli.command import main

raise SystemExit(main())
