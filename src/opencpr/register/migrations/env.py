"""Alembic environment: runs the register's migrations on the connection it is given."""

from alembic import context

import opencpr.register.access_schema  # noqa: F401  (the access tables live on the same metadata)
from opencpr.register.schema import metadata

config = context.config
connection = config.attributes.get("connection")

if connection is None:  # pragma: no cover - run from the alembic command line
    from opencpr.config import load_settings
    from opencpr.register.db import make_engine

    engine = make_engine(load_settings().database_url)
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=metadata,
                          render_as_batch=engine.dialect.name == "sqlite")
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
