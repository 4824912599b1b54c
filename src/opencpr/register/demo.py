"""CPR's demo persons, shipped with the package, for the demo register and the tests."""

from __future__ import annotations

from importlib import resources

from sqlalchemy import Engine

from opencpr.register.importer import import_extract

DEMO_EXTRACT = "demo-extract-U12170-P.txt"


def demo_extract_path():
    """A path-like handle on the packaged demo extract (80 persons, P12170 layout)."""
    return resources.files("opencpr.data") / DEMO_EXTRACT


def load_demo_persons(engine: Engine) -> int:
    """Import CPR's 80 demo persons; returns how many were loaded."""
    with demo_extract_path().open("rb") as stream:
        return import_extract(engine, stream).persons
