"""Migration 0002 creates exactly the access tables of opencpr.register.access_schema, on both databases."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

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


def test_0002_downgrades_and_upgrades(engine):
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    tables = set(inspect(engine).get_table_names())
    assert not tables & {t.name for t in ACCESS_TABLES} and "person" in tables
    upgrade(engine)
    assert {t.name for t in ACCESS_TABLES} <= set(inspect(engine).get_table_names())
