"""The register's tables, described once with SQLAlchemy Core.

The data columns of every person table come from the record layouts of the CPR extract
(:mod:`opencpr.domain.records`): a table holds the union of the columns of the record types that
map to it, so what the extract carries, the register holds. Current and historical records of
one kind of data share a table (``address`` holds 002 and 023 rows) and are told apart by
``current``. Every row carries its registration time and registering authority; rows of kinds
with history carry the correction marker (``correction``: None, K, A or Æ), and so do the rows
of the kinds that data maintenance corrects and undoes without history (:data:`MARKED_TABLES`,
migration 0007).

Rows are never deleted. Closing a period sets its ``valid_to``; a correction or an undo marks
the old row and adds a new one; every change is also an event in ``event``, the append-only log.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeEngine

from opencpr.domain.records import CURRENT_AND_HISTORICAL, LAYOUTS

metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
})

_TYPES = {"A": String, "D": lambda n: String(10), "T": lambda n: String(16), "N": String,
          "U": lambda n: Boolean(), "C": lambda n: String(1)}


def code_point_string(length: int) -> TypeEngine:
    """A string column compared byte by byte: on PostgreSQL in the ``"C"`` collation (SQLite
    compares bytes already). UTF-8's byte order is the order of the code points, whatever locale
    the database was created with."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def pnr_type() -> TypeEngine:
    """The type of every column that holds a CPR number: :func:`code_point_string` of 10.

    Ten digits sort the same in any collation, and comparing bytes is cheaper than the database
    locale's comparison: every PNR index is built faster after a bulk load, and probed faster by
    every lookup. All PNR columns share the collation, so that a join of one to another (a child
    to its parent, a name word to its person) can use the index on either side."""
    return code_point_string(10)


def _is_pnr(column: str) -> bool:
    return column == "pnr" or column.endswith("_pnr")


#: Tables that hold one row per person (merged from several 1..1 record types).
PERSON_TABLE = "person"

#: Key column of every id-ordered table, used by bulk loads and exports.
ROW_ID = "id"


def _data_columns(table: str) -> list[Column]:
    """The data columns of a table, in the order the layouts name them (first one wins)."""
    seen: dict[str, Column] = {}
    for layout in LAYOUTS.values():
        if layout.table != table:
            continue
        for f in layout.fields:
            if f.column is None or f.column == "pnr" or f.column in seen:
                continue
            type_ = _TYPES[f.codec]
            seen[f.column] = Column(f.column, pnr_type() if _is_pnr(f.column) else type_(f.length))
    return list(seen.values())


def _person_table() -> Table:
    return Table(
        PERSON_TABLE, metadata,
        Column("pnr", pnr_type(), primary_key=True),
        *_data_columns(PERSON_TABLE),
        Column("registered_at", String(19)),
        Column("version", Integer, nullable=False, server_default="0"),
    )


#: Tables without history whose rows data maintenance marks K (corrected) or A (undone): the
#: extract has no ANNKOR for them, so the column is added here (migration 0007).
MARKED_TABLES = ("child", "previous_pnr", "municipal_condition", "note", "protection")


def _row_table(name: str, *extra: Column) -> Table:
    history = name in CURRENT_AND_HISTORICAL
    columns = [c for c in _data_columns(name) if c.name != "correction"]
    table = Table(
        name, metadata,
        Column(ROW_ID, BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("pnr", pnr_type(), nullable=False),
        *columns,
        *([Column("current", Boolean, nullable=False), Column("correction", String(1))] if history else []),
        *([Column("correction", String(1))] if name in MARKED_TABLES else []),
        *extra,
        Column("authority", String(4)),
        Column("registered_at", String(19)),
    )
    Index(None, table.c.pnr, table.c[ROW_ID])
    return table


person = _person_table()
clear_address = _row_table("clear_address")
address = _row_table("address")
protection = _row_table("protection")
departure = _row_table("departure")
contact_address = _row_table("contact_address")
disappearance = _row_table("disappearance")
name = _row_table("name")
citizenship = _row_table("citizenship")
church = _row_table("church")
civil_status = _row_table("civil_status")
separation = _row_table("separation")
child = _row_table("child")
parental_authority = _row_table("parental_authority")
guardianship = _row_table("guardianship")
municipal_condition = _row_table("municipal_condition")
note = _row_table("note")
election = _row_table("election")
relocation_order = _row_table("relocation_order")
previous_pnr = _row_table("previous_pnr")

# Search indexes on register tables (migration 0004): addresses by road, persons by birth date.
Index(None, address.c.municipality, address.c.road, address.c.house_no)
Index(None, person.c.birth_date)
# road names and postal districts of a municipality's road, from the clear-written addresses (migration 0014)
Index(None, clear_address.c.municipality, clear_address.c.road)
# the PNRs naming another person, read backwards by an event changing that person (migration 0008)
Index(None, guardianship.c.guardian_pnr)
Index(None, parental_authority.c.holder_pnr)

#: The event log (hændelser): append-only; one row per event on one person. ``derived_marker``
#: is blank for the person the event happened to and names the relation (ÆG, MO, FA, BØ …) on
#: relatives changed by it. ``registered_at`` is CPR's TIMESTAMPU; ``event_date`` the date the
#: event took effect, where known.
event = Table(
    "event", metadata,
    Column(ROW_ID, BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("pnr", pnr_type(), nullable=False),
    Column("registered_at", String(19)),
    Column("event_code", String(3), nullable=False),
    Column("derived_marker", String(2)),
    Column("event_date", String(16)),
    Column("authority", String(4)),
    Column("source", String(16)),
    Column("detail", Text),
)
Index(None, event.c.pnr, event.c[ROW_ID])
Index(None, event.c.registered_at)

#: Search structures (migration 0004), kept by :mod:`opencpr.register.search_index`. One
#: ``name_search`` row per name row (current and historical) holds the folded words
#: (``" jens peter mortensen "``) and the sort form (``"mortensen jens peter"``); ``name_word``
#: holds each folded word once per person, with the sort form of the person's current name
#: (ordered, for prefix search) and the person's filter values; ``road_name`` holds the road names by municipality and postal code.
name_search = Table(
    "name_search", metadata,
    Column(ROW_ID, BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("pnr", pnr_type(), nullable=False),
    Column("current", Boolean, nullable=False),
    Column("words", String(200), nullable=False),
    Column("sort_name", code_point_string(200), nullable=False),
)
Index(None, name_search.c.pnr)
name_word = Table(
    "name_word", metadata,
    # the folded words and sort names, ordered by code point (the prefix ranges rely on it)
    Column("word", code_point_string(60), primary_key=True),
    Column("sort_name", code_point_string(200), primary_key=True),
    Column("pnr", pnr_type(), primary_key=True),
    Column("in_current", Boolean, nullable=False),
    # the person's values the name search filters on (migration 0006), copied so that the
    # filters are plain predicates on the rows the primary-key range scan reads
    Column("sex", String(1)),
    Column("birth_date", String(10)),
    Column("status", String(2)),
    Column("municipality", String(4)),  # of the current address; NULL without one
    Column("country", String(4)),  # current citizenship (statsborgerskab); NULL without one
    sqlite_with_rowid=False,
)
Index(None, name_word.c.pnr)
road_name = Table(
    "road_name", metadata,
    Column("municipality", String(4), primary_key=True),
    Column("road", String(4), primary_key=True),
    Column("postal_code", String(4), primary_key=True),  # '' when not known
    Column("name", String(40), nullable=False),
    Column("folded", String(40), nullable=False),
)
Index(None, road_name.c.municipality, road_name.c.folded)
Index(None, road_name.c.postal_code, road_name.c.folded)

#: Tables that hold person data, in the order their record types are written.
PERSON_TABLES: tuple[Table, ...] = (
    person, address, clear_address, protection, departure, contact_address, disappearance, name,
    citizenship, church, civil_status, separation, child, parental_authority, guardianship,
    municipal_condition, note, election, relocation_order, previous_pnr, event,
)

TABLES: dict[str, Table] = {t.name: t for t in PERSON_TABLES}

#: Shared residence (delt bopæl): a child (``pnr``) who also lives at the address of the other
#: parent (``other_pnr``). The extract has no record type for it, so the table is not among
#: :data:`PERSON_TABLES` (not exported, imported or bulk-loaded); migration ``0003`` adds it.
shared_residence = Table(
    "shared_residence", metadata,
    Column(ROW_ID, BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("pnr", pnr_type(), nullable=False),
    Column("other_pnr", pnr_type()),
    Column("municipality", String(4)),
    Column("road", String(4)),
    Column("house_no", String(4)),
    Column("floor", String(2)),
    Column("door", String(4)),
    Column("building_no", String(4)),
    Column("valid_from", String(16)),
    Column("valid_to", String(16)),
    Column("current", Boolean, nullable=False),
    Column("correction", String(1)),
    Column("authority", String(4)),
    Column("registered_at", String(19)),
)
Index(None, shared_residence.c.pnr, shared_residence.c[ROW_ID])
Index(None, shared_residence.c.other_pnr)

#: Update sessions (ajourføring): one initiated event dialogue, identified by CPR's ``ts`` (20 digits).
#: ``state`` is initiated, validated, saved, cancelled; ``versions`` holds the version of each person
#: read at validation, so a save after another save on the same person is refused as a conflict.
update_session = Table(
    "update_session", metadata,
    Column("id", String(20), primary_key=True),
    Column("event_code", String(3), nullable=False),
    Column("pnr", pnr_type()),
    Column("event_date", String(10)),
    Column("authority", String(4)),
    Column("actor", String(40), nullable=False),
    Column("state", String(12), nullable=False),
    Column("keys", Text, nullable=False),
    Column("data", Text),
    Column("versions", Text),
    Column("receipt", Text),
    Column("created_at", String(19), nullable=False),
    Column("updated_at", String(19), nullable=False),
    Column("expires_at", String(19), nullable=False),
)

#: The pending register (venteregister): saved events that are not yet in the register — future-dated
#: events waiting for their date (``waiting``) and citizens' events waiting for the municipality's
#: approval (``awaiting_approval``); later ``applied``, ``withdrawn``, ``rejected`` or ``failed``.
pending_event = Table(
    "pending_event", metadata,
    Column(ROW_ID, BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("event_code", String(3), nullable=False),
    Column("pnr", pnr_type()),
    Column("event_date", String(10), nullable=False),
    Column("authority", String(4)),
    Column("municipality", String(4)),
    Column("data", Text, nullable=False),
    Column("reported_by", String(40), nullable=False),
    Column("reported_at", String(19), nullable=False),
    Column("state", String(20), nullable=False),
    Column("session_id", String(20)),
    Column("resolved_at", String(19)),
    Column("resolved_by", String(40)),
    Column("result", Text),
    # the municipality's decision on a report awaiting approval (migration 0009)
    Column("decision", String(10)),  # approved, rejected
    Column("decided_by", String(40)),  # the caseworker's user code
    Column("decided_at", String(19)),
    Column("reason", Text),
)
Index(None, pending_event.c.state, pending_event.c.event_date)
Index(None, pending_event.c.municipality, pending_event.c.state)
Index(None, pending_event.c.pnr)

# --- SF6002 subscriptions and their deliveries (migration 0010) ----------------------------------
# ``system_id`` is a subscriber system's id (``subscriber_system.id``, the access tables).

#: A subscriber system's SF6002 setup: the UserSystemUUID its calls must carry, the SSH public key
#: its SFTP client logs on with (OpenSSH one-line form), and how far its deliveries have come:
#: ``delivered_through`` is the last event-log id its change extracts have covered, ``night`` the
#: last night the extraction finished for it (with or without a file).
subscription_system = Table(
    "subscription_system", metadata,
    Column("system_id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("user_system_uuid", String(36)),
    Column("ssh_public_key", Text),
    Column("delivered_through", BigInteger().with_variant(Integer, "sqlite"), nullable=False, server_default="0"),
    Column("night", String(10)),
)

#: SF6002 filters (abonnementsfiltre), one row each: ``kind`` pnr, municipality, age_range,
#: change_code or no_filter; ``value`` the PNR, the 4-digit municipality code, ``start-end`` or
#: the event code ('' for no_filter). ``initial_due`` is set when a PNR, municipality or
#: no-filter subscription is added and cleared when its initial load has been delivered.
subscription_filter = Table(
    "subscription_filter", metadata,
    Column(ROW_ID, BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("system_id", BigInteger().with_variant(Integer, "sqlite"), nullable=False),
    Column("kind", String(12), nullable=False),
    Column("value", String(10), nullable=False),
    Column("initial_due", Boolean, nullable=False),
    Column("added_at", String(19), nullable=False),
    UniqueConstraint("system_id", "kind", "value"),
)

#: One night's extraction: the event-log id it reads up to (fixed when the night begins, so a
#: resumed night reads the same events) and when it began and finished.
extraction_night = Table(
    "extraction_night", metadata,
    Column("night", String(10), primary_key=True),
    Column("high_event_id", BigInteger().with_variant(Integer, "sqlite"), nullable=False),
    Column("started_at", String(19), nullable=False),
    Column("finished_at", String(19)),
    Column("stopped_by_budget", Boolean, nullable=False, server_default="0"),
)

#: Deliveries: one data file (and its metadata file) in a system's ``IN`` folder. ``fetched_at``
#: is set when the subscriber deletes both files over SFTP; ``expired_at`` when retention removed
#: them unfetched.
delivery = Table(
    "delivery", metadata,
    Column(ROW_ID, BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("system_id", BigInteger().with_variant(Integer, "sqlite"), nullable=False),
    Column("night", String(10), nullable=False),
    Column("task_number", Integer, nullable=False),
    Column("file_name", String(40), nullable=False),
    Column("size", BigInteger().with_variant(Integer, "sqlite"), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("persons", Integer, nullable=False),
    Column("initial_persons", Integer, nullable=False),
    Column("created_at", String(19), nullable=False),
    Column("fetched_at", String(19)),
    Column("expired_at", String(19)),
    UniqueConstraint("system_id", "file_name"),
)
Index(None, delivery.c.fetched_at, delivery.c.expired_at, delivery.c.created_at)

#: What is left of a system's delivery cut at a night's time budget: the persons after ``after_pnr``
#: (PNR order) of that night's selection — the event-log window ``(low, high]`` its 099 records
#: come from, the initial loads it carried (``initial``: JSON ``{"pnrs", "municipalities",
#: "everyone"}``) and the changed persons still to go (``changed``: JSON ``[[pnr, by_address], …]``).
#: The next night delivers it first, as a further numbered file; the row goes when it is delivered.
delivery_rest = Table(
    "delivery_rest", metadata,
    Column("system_id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("night", String(10), nullable=False),
    Column("low", BigInteger().with_variant(Integer, "sqlite"), nullable=False),
    Column("high", BigInteger().with_variant(Integer, "sqlite"), nullable=False),
    Column("after_pnr", pnr_type(), nullable=False),
    Column("initial", Text, nullable=False),
    Column("changed", Text, nullable=False),
)

SUBSCRIPTION_TABLES: tuple[Table, ...] = (subscription_system, subscription_filter, extraction_night, delivery,
                                          delivery_rest)
