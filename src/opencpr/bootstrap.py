"""The composition root: how the server, the CLI, the tests and the benchmarks put the parts together.

Everything that builds a running register goes through here, so that every door gets the same
parts made the same way:

* :func:`open_engine` — the register's engine at a database URL (schema brought up to date);
* :func:`make_gate` — the one :class:`~opencpr.services.gate.Gate` on an engine;
* :func:`job_gate` — a gate and the actor of a named job (the pending register's run, nightly jobs);
* :func:`user_gate` — a gate and a user's actor, for the command line acting as a caseworker;
* :func:`ensure_defaults` — the default security groups;
* :func:`ensure_demo_user` — the demo register's user (:data:`DEMO_USER`, :data:`DEMO_PASSWORD`).
"""

from __future__ import annotations

from sqlalchemy import Engine

from opencpr.access.actor import Actor
from opencpr.access.anchor import AnchorTarget
from opencpr.access.passwords import Passwords
from opencpr.access.users import actor_for_user, add_user, get_user, job_actor, set_known_password
from opencpr.clock import Clock
from opencpr.config import Settings
from opencpr.register.migrate import open_register
from opencpr.services.gate import AuditMode, Gate
from opencpr.services.permissions import ensure_default_groups

__all__ = [
    "DEMO_AUTHORITY", "DEMO_GROUP", "DEMO_PASSWORD", "DEMO_USER", "ensure_defaults", "ensure_demo_user",
    "job_gate", "make_gate", "open_engine", "user_gate",
]

#: The demo register's user: authority 0851 (Aalborg) in the CPR office's group, so every service is open.
DEMO_USER = "DEMO"
DEMO_PASSWORD = "Demo-2026!cpr"
DEMO_AUTHORITY = "0851"
DEMO_GROUP = "cpr-office"


def open_engine(database_url: str | None = None, *, migrate: bool = True, pool_size: int | None = None) -> Engine:
    """The register at ``database_url`` (the configured one if None), its schema brought up to date
    unless ``migrate`` is False; on PostgreSQL keeping ``pool_size`` connections."""
    return open_register(database_url, migrate=migrate, pool_size=pool_size)


def make_gate(engine: Engine, clock: Clock | None = None, *, audit_mode: AuditMode | str = AuditMode.SYNC,
              passwords: Passwords | None = None, token_cache_seconds: float = 0.0, settings: Settings | None = None
              ) -> Gate:
    """The gate every service call on ``engine`` passes through (with the limits and the audit
    anchor of ``settings``, when given)."""
    anchor = None
    if settings is not None and settings.audit_anchor is not None:
        anchor = AnchorTarget(settings.audit_anchor, settings.audit_anchor_key, settings.audit_anchor_every)
    return Gate(engine, clock, audit_mode=audit_mode, passwords=passwords, token_cache_seconds=token_cache_seconds,
                limits=settings.limits if settings is not None else None, anchor=anchor)


def job_gate(engine: Engine, job: str, clock: Clock | None = None) -> tuple[Gate, Actor]:
    """A gate on ``engine`` and the actor a job (``run-due`` …) calls services as."""
    return make_gate(engine, clock), job_actor(engine, job)


def user_gate(engine: Engine, user_code: str, clock: Clock | None = None) -> tuple[Gate, Actor]:
    """A gate on ``engine`` and an active user's actor (the operator acts as that caseworker on the
    command line: the audit trail names the user code, and the user's group decides what it may do)."""
    return make_gate(engine, clock), actor_for_user(engine, user_code.strip().upper(), client="cli")


def ensure_defaults(engine: Engine, clock: Clock | None = None) -> list[str]:
    """Create the default security groups that are missing; return their names."""
    return ensure_default_groups(engine, clock)


def ensure_demo_user(engine: Engine, clock: Clock | None = None) -> tuple[str, str]:
    """Make the demo user (or give it its known password again, valid for 90 days); return its credentials."""
    ensure_defaults(engine, clock)
    if get_user(engine, DEMO_USER) is None:
        add_user(engine, DEMO_USER, DEMO_AUTHORITY, DEMO_GROUP, full_name="Demo user", clock=clock)
    set_known_password(engine, DEMO_USER, DEMO_PASSWORD, clock=clock)
    return DEMO_USER, DEMO_PASSWORD
