"""The speed machinery: what makes scans on an SQLite file fast, behind one seam.

Nothing of the domain imports this package. create_app() calls init_app() when SPEED is on
(the default) and the database is an SQLite file; it then plugs in:

- `gate.py`: a worker's scans take turns at its gate instead of sharing the GIL (WSGI
  middleware around the app);
- `writequeue.py`: writers wait for SQLite's write lock in a queue of ours, not in SQLite's
  busy handler (engine events on this app's engine's connections);
- `reads.py`: a scan's look-ups run before the write lock is taken (the answer to
  database.reading_first());
- `loader.py`: an object by a unique column without the ORM's query (the answer to
  database.one_by()).

With SPEED=0, on PostgreSQL and on an in-memory SQLite database the app runs on plain
SQLAlchemy: database.reading_first() runs its block as it is and database.one_by() queries.
Each mechanism stays because paired runs of bench/http.py --roads showed it pays (8 pairs,
SQLite, 8 scanners, `make run`'s serving; docs/performance.md has the figures); what did not
was deleted. It uses no private name of SQLAlchemy, Flask, Werkzeug or gunicorn.
"""
from flask import Flask

from warehouse_app.bodies import anonymous_limit
from warehouse_app.database import is_sqlite_file


class Faster:
    """The faster answers to database.py's two questions, for one app."""

    def __init__(self):
        self.loaders = {}

    def reading_first(self):
        from warehouse_app.speed.reads import reading_first
        return reading_first()

    def one_by(self, session, column, value):
        key = (column.class_, column.key)
        loader = self.loaders.get(key)
        if loader is None:
            from warehouse_app.speed.loader import Loader
            loader = self.loaders[key] = Loader(column)
        return loader.one(session, value)


def init_app(app: Flask) -> None:
    """Plug the machinery into this app (after its extensions and routes exist)."""
    if not app.config["SPEED"] or not is_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"]):
        return
    from warehouse_app.extensions import db
    from warehouse_app.speed import writequeue
    from warehouse_app.speed.gate import GatedApp
    app.extensions["speed"] = Faster()
    with app.app_context():
        writequeue.attach(db.engine)
    # The gate reads a scan's body before login is checked: only one within the anonymous
    # limit (a scan's is far smaller), which BodyLimit behind it would let through anyway.
    app.wsgi_app = GatedApp(app.wsgi_app, anonymous_limit(app.config))
