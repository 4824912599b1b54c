"""A short account of what the register holds."""

from __future__ import annotations

from sqlalchemy import Engine, func, or_, select

from opencpr.domain.codes import PERSON_STATUS
from opencpr.register.schema import child, civil_status, event, person, protection


def _kept(table):
    """Rows not set aside by data maintenance (K corrected, A undone)."""
    return or_(table.c.correction.is_(None), table.c.correction.not_in(("K", "A")))


def summarize(engine: Engine) -> dict[str, int]:
    """Counts a person reading the register wants first: by status, couples, children, protection."""
    out: dict[str, int] = {}
    with engine.connect() as conn:
        out["persons"] = conn.execute(select(func.count()).select_from(person)).scalar_one()
        for status, n in conn.execute(
                select(person.c.status, func.count()).group_by(person.c.status).order_by(person.c.status)):
            out[f"status {status} {PERSON_STATUS.text(status or '')}".rstrip()] = n
        for code, n in conn.execute(
                select(civil_status.c.civil_status, func.count()).where(civil_status.c.current.is_(True))
                .group_by(civil_status.c.civil_status).order_by(civil_status.c.civil_status)):
            out[f"civil status {code}"] = n
        out["child relations"] = conn.execute(select(func.count()).select_from(child)
                                              .where(_kept(child))).scalar_one()
        out["name and address protected"] = conn.execute(
            select(func.count(func.distinct(protection.c.pnr)))
            .where(protection.c.protection_type == "0001", _kept(protection))
        ).scalar_one()
        out["events in the log"] = conn.execute(select(func.count()).select_from(event)).scalar_one()
    return out
