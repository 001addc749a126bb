"""Statements of the hot write path, compiled once and run straight on SQLite's cursor.

SQLAlchemy builds and compiles these statements (one SQL text per statement, the same it would
send). Around each execution it then spends about 8 µs on contexts, events and result objects,
where SQLite itself takes 2 to 5: with six statements in every movement that was a tenth of a
scan. So on SQLite `run()` binds the parameters with the column types' own bind processors
and calls the driver's cursor; driver errors are raised as SQLAlchemy's (IntegrityError,
OperationalError...), as callers expect. Any other database goes through SQLAlchemy as usual.

Only for statements whose parameters are plain values (no expanding IN lists) and whose
results need no type processing (ids, counts, numbers of units).
"""
import sqlite3

from sqlalchemy.exc import DBAPIError


class Prepared:
    """A Core statement and, once first run on SQLite, its compiled text and binders."""

    __slots__ = ("statement", "_column_keys", "_sqlite")

    def __init__(self, statement, column_keys=None):
        self.statement = statement
        self._column_keys = column_keys  # an INSERT's columns, in this order
        self._sqlite = None

    def _compile(self, dialect) -> tuple[str, list]:
        compiled = self.statement.compile(dialect=dialect, column_keys=self._column_keys)
        binders = []
        for name in compiled.positiontup:
            bind = compiled.binds[name]
            binders.append((name, bind.type.bind_processor(dialect), bind.effective_value))
        return compiled.string, binders

    def run(self, connection, params: dict):
        """Execute; returns what has rowcount, lastrowid and fetchone() (a cursor or a result)."""
        if connection.dialect.name != "sqlite":
            return _Result(connection.execute(self.statement, params))
        if self._sqlite is None:
            self._sqlite = self._compile(connection.dialect)
        sql, binders = self._sqlite
        args = []
        for name, processor, default in binders:  # a literal in the statement is its default
            value = params.get(name, default)
            args.append(value if processor is None else processor(value))
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            cursor.execute(sql, args)
        except sqlite3.Error as err:
            raise DBAPIError.instance(sql, args, err, sqlite3.Error) from err
        return cursor


class _Result:
    """A CursorResult answering like a DBAPI cursor."""

    __slots__ = ("result",)

    def __init__(self, result):
        self.result = result

    @property
    def rowcount(self) -> int:
        return self.result.rowcount

    @property
    def lastrowid(self):
        return self.result.inserted_primary_key[0]

    def fetchone(self):
        return self.result.fetchone()

    def fetchall(self):
        return self.result.fetchall()
