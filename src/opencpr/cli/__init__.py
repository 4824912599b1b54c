"""The command line (``opencpr``): an adapter like the others, on the parts :mod:`opencpr.bootstrap` makes.

* :mod:`~opencpr.cli.main` — the register, the server, the catalogue and the pending register;
* :mod:`~opencpr.cli.access` — users, security groups, systems, certificates, audit and usage.
"""

from opencpr.cli.main import app

__all__ = ["app"]
