"""Users: user codes (personkoder) in an authority and a security group.

A user code is 4 to 8 letters A–Z and digits (given in any case, kept in upper case). A new
user, and a user whose password an administrator resets, gets a one-time password that must be
changed at the first signon (signon answers 906 until it is).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Engine, select

from opencpr.access.actor import Actor
from opencpr.access.audit import AuditEntry, append_audit, write_transaction
from opencpr.access.groups import Scope, SecurityGroup, get_group
from opencpr.access.passwords import Passwords, one_time_password
from opencpr.clock import Clock, SystemClock, stamp
from opencpr.domain import reference
from opencpr.register.access_schema import password_history, user_account

_USER_CODE = re.compile(r"[A-Z0-9]{4,8}")


class UserError(ValueError):
    """A user cannot be made or changed as asked (the message says why)."""


class InvalidUserCode(UserError):
    """Not a well-formed user code (Kvit 904 at signon)."""


def normalize_user_code(code: str) -> str:
    """The stored form of a user code; raise InvalidUserCode if it is not 4-8 letters and digits."""
    if not isinstance(code, str):
        raise InvalidUserCode(f"a user code is text, not {type(code).__name__}")
    folded = code.strip().upper()
    if not folded.isascii() or not _USER_CODE.fullmatch(folded):
        raise InvalidUserCode(f"a user code is 4-8 letters A-Z and digits, not {code!r}")
    return folded


@dataclass(frozen=True, slots=True)
class User:
    """A user as stored (without the password hash)."""

    user_code: str
    authority: str
    group_name: str
    full_name: str | None
    password_set_at: dt.datetime
    must_change: bool
    failed_signons: int
    active: bool
    locked: bool
    created_at: dt.datetime


def _user(row) -> User:
    return User(row.user_code, row.authority, row.group_name, row.full_name,
                dt.datetime.fromisoformat(row.password_set_at), bool(row.must_change), row.failed_signons,
                bool(row.active), bool(row.locked), dt.datetime.fromisoformat(row.created_at))


def check_authority(code: str, group: SecurityGroup, today: dt.date) -> str:
    """The 4-digit authority code, checked against CPR's authority table and the group's scopes."""
    code = str(code).strip()
    if not (code.isdigit() and code.isascii() and len(code) <= 4):
        raise UserError(f"an authority code (myndighedskode) is 4 digits, not {code!r}")
    code = code.zfill(4)
    found = reference.authority(code, on=today)
    if found is None:
        known = reference.authority(code)
        if known is not None:
            raise UserError(f"authority {code} ({known.name}) ended on {known.valid_to}")
        raise UserError(f"authority {code} is not in CPR's authority table")
    if Scope.OWN_MUNICIPALITY in group.permissions.scopes() and not reference.is_municipality(code):
        raise UserError(f"group {group.name!r} works within the user's own municipality, but authority "
                        f"{code} ({found.name}) is not a municipality")
    return code


def add_user(engine: Engine, user_code: str, authority: str, group: str, *, full_name: str | None = None,
             clock: Clock | None = None, passwords: Passwords | None = None, by: str = "opencpr") -> str:
    """Create a user; return the one-time password (shown once, to be changed at first signon)."""
    code = normalize_user_code(user_code)
    now = (clock or SystemClock()).now()
    found = get_group(engine, group)
    if found is None:
        raise UserError(f"no security group {group!r} (see `opencpr groups list`)")
    authority = check_authority(authority, found, now.date())
    password = one_time_password()
    hashed = (passwords or Passwords()).hash(password)
    with write_transaction(engine) as conn:
        if conn.execute(select(user_account.c.user_code).where(user_account.c.user_code == code)).first():
            raise UserError(f"user {code} already exists")
        conn.execute(user_account.insert().values(
            user_code=code, authority=authority, group_name=found.name, full_name=full_name,
            password_hash=hashed, password_set_at=stamp(now), must_change=True, failed_signons=0,
            active=True, locked=False, created_at=stamp(now)))
        conn.execute(password_history.insert().values(user_code=code, password_hash=hashed, set_at=stamp(now)))
        append_audit(conn, [AuditEntry.admin(now, by, "USERS", "add",
                                             detail=f"{code} authority {authority} group {found.name}")])
    return password


def _change(engine: Engine, user_code: str, action: str, values: dict, *, clock: Clock | None, by: str,
            history_hash: str | None = None) -> None:
    code = normalize_user_code(user_code)
    now = (clock or SystemClock()).now()
    with write_transaction(engine) as conn:
        done = conn.execute(user_account.update().where(user_account.c.user_code == code).values(**values))
        if done.rowcount == 0:
            raise UserError(f"no user {code}")
        if history_hash is not None:
            conn.execute(password_history.insert().values(user_code=code, password_hash=history_hash,
                                                          set_at=stamp(now)))
        append_audit(conn, [AuditEntry.admin(now, by, "USERS", action, detail=code)])


def disable_user(engine: Engine, user_code: str, *, clock: Clock | None = None, by: str = "opencpr") -> None:
    """Make a user inactive (signon answers 903; open sessions stop working)."""
    _change(engine, user_code, "disable", {"active": False}, clock=clock, by=by)


def enable_user(engine: Engine, user_code: str, *, clock: Clock | None = None, by: str = "opencpr") -> None:
    """Make a user active again; also lifts a lock after wrong passwords."""
    _change(engine, user_code, "enable", {"active": True, "locked": False, "failed_signons": 0},
            clock=clock, by=by)


def reset_password(engine: Engine, user_code: str, *, clock: Clock | None = None,
                   passwords: Passwords | None = None, by: str = "opencpr") -> str:
    """Give a user a new one-time password (returned) and lift a lock; it must be changed at signon."""
    now = (clock or SystemClock()).now()
    password = one_time_password()
    hashed = (passwords or Passwords()).hash(password)
    _change(engine, user_code, "reset-password",
            {"password_hash": hashed, "password_set_at": stamp(now), "must_change": True, "locked": False,
             "failed_signons": 0}, clock=clock, by=by, history_hash=hashed)
    return password


def get_user(engine: Engine, user_code: str) -> User | None:
    code = normalize_user_code(user_code)
    with engine.connect() as conn:
        row = conn.execute(select(user_account).where(user_account.c.user_code == code)).first()
    return None if row is None else _user(row)


def list_users(engine: Engine, *, authority: str | None = None, group: str | None = None) -> list[User]:
    query = select(user_account).order_by(user_account.c.user_code)
    if authority:
        query = query.where(user_account.c.authority == authority.zfill(4))
    if group:
        query = query.where(user_account.c.group_name == group)
    with engine.connect() as conn:
        return [_user(r) for r in conn.execute(query)]


def actor_for_user(engine: Engine, user_code: str, *, client: str | None = None) -> Actor:
    """The actor of an active user, without a password: for trusted local jobs, never for adapters."""
    user = get_user(engine, user_code)
    if user is None:
        raise UserError(f"no user {user_code}")
    if not user.active or user.locked:
        raise UserError(f"user {user.user_code} is not active")
    group = get_group(engine, user.group_name)
    if group is None:
        raise UserError(f"user {user.user_code}'s group {user.group_name!r} does not exist")
    return Actor("user", group, user.authority, user_code=user.user_code, client=client)


def set_known_password(engine: Engine, user_code: str, password: str, *, clock: Clock | None = None,
                       passwords: Passwords | None = None, by: str = "opencpr") -> None:
    """Give a user a password chosen by the operator, valid for 90 days from now (demo and test users).

    Unlike :func:`reset_password` the password need not be changed at the next signon; it must
    still follow the password rules.
    """
    from opencpr.access.passwords import password_problems

    problems = password_problems(password)
    if problems:
        raise UserError("the password needs " + ", ".join(problems))
    now = (clock or SystemClock()).now()
    hashed = (passwords or Passwords()).hash(password)
    _change(engine, user_code, "set-password",
            {"password_hash": hashed, "password_set_at": stamp(now), "must_change": False, "locked": False,
             "failed_signons": 0, "active": True}, clock=clock, by=by, history_hash=hashed)


def job_actor(engine: Engine, job: str, group: str = "cpr-office") -> Actor:
    """The actor of a trusted local job (the scheduler's ``run-due``): a system without a certificate."""
    found = get_group(engine, group)
    if found is None:
        raise UserError(f"no security group {group!r} (run `opencpr init`)")
    return Actor("system", found, None, system=job)
