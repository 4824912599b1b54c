"""``python -m opencpr.cli``: the command line."""

from opencpr.cli.main import app

app()
