"""Statements of the hot path of a scan, compiled once and run straight on SQLite's cursor.

SQLAlchemy builds and compiles these statements (one SQL text per statement, the same it would
send). Around each execution it then spends about 8 µs on contexts, events and result objects,
where SQLite itself takes 2 to 5: with six statements in every movement that was a tenth of a
scan. So on SQLite `run()` binds the parameters with the column types' own bind processors
and calls the driver's cursor; driver errors are raised as SQLAlchemy's (IntegrityError,
OperationalError...), as callers expect. Any other database goes through SQLAlchemy as usual.

Only for statements whose parameters are plain values (no expanding IN lists) and whose
results need no type processing (ids, counts, numbers of units); `Loader` converts whole rows.

`Loader` finds one ORM object by a unique column (a product by its SKU, a bin by its code, a
token by its digest). An ORM query with the read transaction around it took about 310 µs of CPU
on SQLite, and a scan made four. The loader runs one prepared SELECT of the table's columns,
converts the values with the column types' own result processors, and hands the object to the
session as loaded, exactly as a query would (or the session's own copy, when it holds that row
already): about 80 µs. Inside `reading_first()` on SQLite it reads outside any transaction (one
statement is its own snapshot) and so begins none.
"""
import sqlite3

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import configure_mappers, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from warehouse_app.database import engine_of, has_changes, reading_connection, reads_alone


class Prepared:
    """A Core statement and, once first run on SQLite, its compiled text and binders."""

    __slots__ = ("statement", "_column_keys", "_sqlite")

    def __init__(self, statement, column_keys=None):
        self.statement = statement
        self._column_keys = column_keys  # an INSERT's columns, in this order
        self._sqlite = None

    def _compile(self, dialect) -> tuple[str, list]:
        # Named parameters (":q"), which SQLite's driver takes as a mapping: the SQL text is
        # the one SQLAlchemy would send, and no compiler attribute beyond its text and binds
        # is read.
        named = type(dialect)(paramstyle="named")
        compiled = self.statement.compile(dialect=named, column_keys=self._column_keys)
        binders = []
        for name, bind in compiled.binds.items():
            # The dialect's own type: a generic DateTime has no processor, SQLite's formats the
            # text every other statement compares against.
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            binders.append((name, processor, bind.effective_value))
        return compiled.string, binders

    def run(self, connection, params: dict):
        """Execute; returns what has rowcount, lastrowid and fetchone() (a cursor or a result)."""
        if connection.dialect.name != "sqlite":
            return _Result(connection.execute(self.statement, params))
        return self.run_on_driver(connection.connection.dbapi_connection, connection.dialect,
                                  params)

    def run_on_driver(self, dbapi_connection, dialect, params: dict):
        """Execute on an SQLite connection of the driver's own (one in no transaction, say)."""
        if self._sqlite is None:
            self._sqlite = self._compile(dialect)
        sql, binders = self._sqlite
        args = {}
        for name, processor, default in binders:  # a literal in the statement is its default
            value = params.get(name, default)
            args[name] = value if processor is None else processor(value)
        cursor = dbapi_connection.cursor()
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


class Loader:
    """One ORM object by the value of a unique column, without the ORM's query machinery.

    With changes waiting in the session it queries as usual: a query would flush them first.
    """

    __slots__ = ("model", "column", "mapper", "keys", "primary", "prepared", "_processors",
                 "_configured")

    def __init__(self, model, column):
        self.model, self.column = model, column
        self.mapper = inspect(model)
        columns = list(self.mapper.local_table.columns)
        self.keys = [self.mapper.get_property_by_column(c).key for c in columns]
        self.primary = [columns.index(c) for c in self.mapper.primary_key]
        self.prepared = Prepared(select(*columns).where(column == bindparam("k")))
        self._processors = None  # SQLite's, made when first needed
        self._configured = False

    def one(self, session, value):
        """The object whose column holds this value, or None."""
        if not self._configured:  # a query would have set up the mappers' attributes first
            configure_mappers()
            self._configured = True
        if has_changes(session):
            return session.scalar(select(self.model).where(self.column == value))
        dialect = engine_of(session).dialect
        if dialect.name != "sqlite":
            row = self.prepared.run(session.connection(), {"k": value}).fetchone()
        else:
            row = self._sqlite_row(session, dialect, value)
        if row is None:
            return None
        key = self.mapper.identity_key_from_primary_key([row[i] for i in self.primary])
        held = session.identity_map.get(key)
        if held is not None:
            return held  # as a query answers: the session's own copy of the row
        # A new object read from the database, handed to the session as loaded: every column
        # set and committed, relationships lazy (SQLAlchemy's documented door for this).
        found = self.mapper.class_manager.new_instance()
        for name, cell in zip(self.keys, row, strict=True):
            set_committed_value(found, name, cell)
        make_transient_to_detached(found)
        session.add(found)
        return found

    def _sqlite_row(self, session, dialect, value):
        if self._processors is None:
            self._processors = [column.type.dialect_impl(dialect).result_processor(dialect, None)
                                for column in self.mapper.local_table.columns]
        if reads_alone(session):  # autocommit: one statement reads its own snapshot
            raw = self.prepared.run_on_driver(reading_connection(session), dialect,
                                              {"k": value}).fetchone()
        else:
            raw = self.prepared.run(session.connection(), {"k": value}).fetchone()
        if raw is None:
            return None
        return [cell if process is None else process(cell)
                for process, cell in zip(self._processors, raw, strict=True)]
