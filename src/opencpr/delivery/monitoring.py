"""Deliveries after they are made: fetched, expired, or lying unfetched.

* :func:`mark_fetched` — the subscriber deleted both files of a delivery over SFTP;
* :func:`expire` — deliveries not fetched within the retention period (30 days by default; the
  integration description names 30 and, elsewhere, 40) are deleted from the ``IN`` folder and
  marked expired;
* :func:`unfetched` — deliveries lying unfetched longer than a threshold, for the CLI
  (``opencpr deliveries unfetched``) and the log; the CPR office sees them over REST
  (``GET /api/v1/deliveries/unfetched``) and in the console (``/console/deliveries``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select, update

from opencpr.clock import Clock, SystemClock, stamp
from opencpr.delivery.store import DeliveryStore
from opencpr.register.schema import delivery
from opencpr.services.subscriptions.monitoring import lying_unfetched

__all__ = ["Lying", "expire", "mark_fetched", "unfetched"]


@dataclass(frozen=True, slots=True)
class Lying:
    """A delivery not yet fetched."""

    system_id: int
    system: str
    file_name: str
    created_at: str
    days: float
    persons: int


def mark_fetched(engine: Engine, system_id: int, file_name: str, clock: Clock | None = None) -> bool:
    """Record that the system fetched (deleted) a delivery; False if there was none unfetched."""
    now = stamp((clock or SystemClock()).now())
    with engine.begin() as conn:
        done = conn.execute(update(delivery).where(delivery.c.system_id == system_id, delivery.c.file_name == file_name,
                                                   delivery.c.fetched_at.is_(None), delivery.c.expired_at.is_(None))
                            .values(fetched_at=now))
    return bool(done.rowcount)


def _open(engine: Engine, before: str):
    with engine.connect() as conn:
        return conn.execute(select(delivery).where(delivery.c.fetched_at.is_(None), delivery.c.expired_at.is_(None),
                                                   delivery.c.created_at < before)
                            .order_by(delivery.c.created_at, delivery.c.id)).all()


def expire(engine: Engine, store: DeliveryStore, *, days: float = 30, clock: Clock | None = None) -> list[str]:
    """Delete deliveries unfetched for ``days`` and mark them expired; return their paths (``<id>/IN/<name>``)."""
    now = (clock or SystemClock()).now()
    gone: list[str] = []
    for row in _open(engine, stamp(now - dt.timedelta(days=days))):
        store.remove(row.system_id, f"{row.file_name}.metadata")  # the trigger first: no reader starts on it
        store.remove(row.system_id, row.file_name)
        with engine.begin() as conn:
            conn.execute(update(delivery).where(delivery.c.id == row.id).values(expired_at=stamp(now)))
        gone.append(f"{row.system_id}/IN/{row.file_name}")
    return gone


def unfetched(engine: Engine, *, days: float = 7, clock: Clock | None = None) -> list[Lying]:
    """Deliveries lying unfetched for more than ``days``, oldest first (the same reading as the
    CPR office's service :data:`opencpr.services.subscriptions.monitoring.UNFETCHED`)."""
    now = (clock or SystemClock()).now()
    with engine.connect() as conn:
        found = lying_unfetched(conn, now, days)
    return [Lying(x["system_id"], x["system"], x["file_name"], x["delivered_at"], x["age_days"], x["persons"])
            for x in found]
