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


#: The demo register's user: authority 0851 (Aalborg) in the CPR office's group, so every service is open.
DEMO_USER = "DEMO"
DEMO_PASSWORD = "Demo-2026!cpr"
DEMO_AUTHORITY = "0851"
DEMO_GROUP = "cpr-office"


def ensure_demo_user(engine: Engine, clock=None) -> tuple[str, str]:
    """Make the demo user (or give it its known password again, valid for 90 days); return its credentials."""
    from opencpr.access.groups import ensure_default_groups
    from opencpr.access.users import add_user, get_user, set_known_password

    ensure_default_groups(engine, clock)
    if get_user(engine, DEMO_USER) is None:
        add_user(engine, DEMO_USER, DEMO_AUTHORITY, DEMO_GROUP, full_name="Demo user", clock=clock)
    set_known_password(engine, DEMO_USER, DEMO_PASSWORD, clock=clock)
    return DEMO_USER, DEMO_PASSWORD
