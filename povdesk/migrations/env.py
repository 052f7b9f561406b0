"""Alembic environment: always runs on the connection (and transaction) that povdesk.migrate hands it."""

from alembic import context

from povdesk.model import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite can only ALTER through table copies
    compare_type=True,
)
context.run_migrations()
