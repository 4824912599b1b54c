"""Access tables: security groups, users, passwords, sessions, subscriber systems, audit, usage.

They live on the register's :data:`~opencpr.register.schema.metadata`; migration ``0002``
creates exactly these tables. Times are stored as ``YYYY-MM-DDTHH:MM:SS`` strings (like the
register's ``registered_at``), days as ``YYYY-MM-DD``.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from opencpr.register.schema import metadata, pnr_type

_ID = BigInteger().with_variant(Integer, "sqlite")

#: Security groups (sikkerhedsgrupper). ``permissions`` is JSON (see :mod:`opencpr.access.groups`),
#: edited by an administrator: which services, events and data-maintenance services the members
#: may use, within which scope, and whether they see protected addresses.
security_group = Table(
    "security_group", metadata,
    Column("name", String(40), primary_key=True),
    Column("title", String(100), nullable=False),
    Column("permissions", Text, nullable=False),
    Column("updated_at", String(19)),
    Column("updated_by", String(40)),
)

#: Users, identified by a user code (personkode), belonging to an authority (myndighedskode)
#: and a security group. ``locked`` is set after repeated wrong passwords; ``active`` by an
#: administrator. ``must_change`` marks a one-time password that must be changed at signon.
user_account = Table(
    "user_account", metadata,
    Column("user_code", String(8), primary_key=True),
    Column("authority", String(4), nullable=False),
    Column("group_name", String(40), ForeignKey("security_group.name", name="fk_user_account_group_name"),
           nullable=False),
    Column("full_name", String(100)),
    Column("password_hash", String(200), nullable=False),
    Column("password_set_at", String(19), nullable=False),
    Column("must_change", Boolean, nullable=False),
    Column("failed_signons", Integer, nullable=False, server_default="0"),
    Column("active", Boolean, nullable=False),
    Column("locked", Boolean, nullable=False),
    Column("created_at", String(19), nullable=False),
)

#: Every password a user has had (hashes), to refuse reuse of the last ones.
password_history = Table(
    "password_history", metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("user_code", String(8), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("set_at", String(19), nullable=False),
)
Index(None, password_history.c.user_code, password_history.c.id)

#: Sessions: the 8-character token of a signon, shared by all server processes.
user_session = Table(
    "user_session", metadata,
    Column("token", String(8), primary_key=True),
    Column("user_code", String(8), nullable=False),
    Column("created_at", String(19), nullable=False),
    Column("expires_at", String(19), nullable=False),
    Column("client", String(64)),
    # the console's last request on the session (its idle timeout), seen by every server process
    Column("console_seen", String(19)),
)
Index(None, user_session.c.expires_at)

#: Secrets the server makes once and every server process shares (the console's CSRF key):
#: ``value`` is 32 random bytes in hex, written by the first process that needs it.
server_key = Table(
    "server_key", metadata,
    Column("name", String(40), primary_key=True),
    Column("value", String(64), nullable=False),
    Column("created_at", String(19), nullable=False),
)

#: Subscriber systems (abonnentsystemer): a company certificate's CVR (and OCES UID, or ``""``
#: for any certificate of the CVR) mapped to a system with its service agreement and group.
subscriber_system = Table(
    "subscriber_system", metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("cvr", String(8), nullable=False),
    Column("uid", String(40), nullable=False, server_default=""),
    Column("name", String(100), nullable=False),
    Column("agreement_uuid", String(36), nullable=False),
    Column("group_name", String(40), ForeignKey("security_group.name", name="fk_subscriber_system_group_name"),
           nullable=False),
    Column("authority", String(4)),
    Column("active", Boolean, nullable=False),
    Column("created_at", String(19), nullable=False),
    UniqueConstraint("cvr", "uid"),
)

#: The audit trail (logning): append-only, one row per call, each row's ``hash`` chained to the
#: previous row's (see :mod:`opencpr.access.audit`). ``id`` is given by the chain, not the database.
audit_record = Table(
    "audit_record", metadata,
    Column("id", _ID, primary_key=True, autoincrement=False),
    Column("at", String(19), nullable=False),
    Column("actor_kind", String(8), nullable=False),
    Column("actor", String(40), nullable=False),
    Column("authority", String(4)),
    Column("group_name", String(40)),
    Column("client", String(64)),
    Column("service", String(40), nullable=False),
    Column("action", String(20), nullable=False),
    Column("persons", Text),
    Column("result_code", Integer, nullable=False),
    Column("result_text", String(200)),
    Column("detail", Text),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
Index(None, audit_record.c.actor, audit_record.c.id)

#: Which audit records name which person: the index behind "who looked up or changed PNR".
audit_person = Table(
    "audit_person", metadata,
    Column("pnr", pnr_type(), primary_key=True),
    Column("audit_id", BigInteger, primary_key=True, autoincrement=False),
    sqlite_with_rowid=False,
)

#: The head of the audit chain: one row (id 1) with the last record's number and hash. Every
#: append locks it, so concurrent writers cannot fork the chain.
audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("last_hash", String(64), nullable=False),
)

#: Billable calls per day, authority, actor (user code or ``CVR:<cvr>``) and service.
usage_counter = Table(
    "usage_counter", metadata,
    Column("day", String(10), primary_key=True),
    Column("authority", String(4), primary_key=True),
    Column("actor", String(40), primary_key=True),
    Column("service", String(40), primary_key=True),
    Column("calls", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)

ACCESS_TABLES: tuple[Table, ...] = (
    security_group, user_account, password_history, user_session, subscriber_system,
    audit_record, audit_person, audit_head, usage_counter, server_key,
)

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of the first audit record."""
