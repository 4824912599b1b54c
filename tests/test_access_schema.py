"""Migration 0002 creates exactly the access tables of opencpr.register.access_schema, on both databases."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

import opencpr.register.access_schema as access_schema
from opencpr.register import search_index
from opencpr.register.access_schema import ACCESS_TABLES, GENESIS_HASH, audit_head
from opencpr.register.migrate import alembic_config, upgrade
from opencpr.register.schema import metadata


def test_migrated_schema_matches_the_metadata(engine):
    assert all(t.metadata is metadata for t in ACCESS_TABLES)
    assert access_schema.security_group.name in metadata.tables
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={
            "render_as_batch": conn.dialect.name == "sqlite",
            # the dialect's own search objects (FTS5 table, trigram index) are made by migration 0004
            "include_name": lambda name, type_, parent: not search_index.is_search_extra(name or "")})
        assert compare_metadata(ctx, metadata) == []
        assert conn.execute(select(audit_head.c.id, audit_head.c.seq, audit_head.c.last_hash)).all() == [
            (1, 0, GENESIS_HASH)]


def test_every_pnr_column_has_the_collation_the_metadata_declares(engine):
    """Alembic's comparison does not look at collations: on PostgreSQL every PNR column must be in
    "C" in the migrated database as in the metadata (a join of a "C" column to one in the locale's
    collation cannot use the index on the other side)."""
    declared = {(t.name, c.name): getattr(c.type.dialect_impl(engine.dialect), "collation", None)
                for t in metadata.sorted_tables for c in t.columns}
    pnr_columns = {k for k in declared if k[1] == "pnr" or k[1].endswith("_pnr")}
    assert len(pnr_columns) >= 37
    if engine.dialect.name != "postgresql":
        assert all(declared[k] is None for k in pnr_columns)  # SQLite compares bytes anyway
        return
    assert {declared[k] for k in pnr_columns} == {"C"}
    with engine.connect() as conn:
        actual = {(r.table_name, r.column_name): r.collation_name for r in conn.execute(text(
            "SELECT table_name, column_name, collation_name FROM information_schema.columns "
            "WHERE table_schema = current_schema()"))}
    assert {k: actual.get(k) for k in declared if declared[k]} == {k: v for k, v in declared.items() if v}


def test_0002_downgrades_and_upgrades(engine):
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    tables = set(inspect(engine).get_table_names())
    assert not tables & {t.name for t in ACCESS_TABLES} and "person" in tables
    upgrade(engine)
    assert {t.name for t in ACCESS_TABLES} <= set(inspect(engine).get_table_names())


def _pnr_statistics(engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(text("SELECT EXISTS (SELECT FROM pg_stats WHERE schemaname = current_schema() "
                                 "AND tablename = 'audit_person' AND attname = 'pnr')")).scalar()


def test_the_collation_change_leaves_the_planner_its_statistics(engine):
    """Changing a column's type drops its statistics; without them PostgreSQL plans lookups blind
    (on an upgraded register of a million persons a Stam+ took half a second). 0015 gathers them
    again, and 0016 gathers them for a register upgraded before 0015 did."""
    if engine.dialect.name != "postgresql":
        pytest.skip("statistics of PostgreSQL's planner")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0014")
        conn.execute(text("INSERT INTO audit_person (pnr, audit_id) "
                          "SELECT lpad((n * 7919)::text, 10, '0'), n FROM generate_series(1, 500) AS n"))
        conn.execute(text("ANALYZE audit_person"))
    upgrade(engine)
    assert _pnr_statistics(engine)
    # a register upgraded by 0015 before it analysed: the statistics dropped, 0016 not yet run
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0015")
        conn.execute(text('ALTER TABLE audit_person ALTER COLUMN pnr TYPE varchar(10) COLLATE "C"'))
    assert not _pnr_statistics(engine)
    upgrade(engine)
    assert _pnr_statistics(engine)
