"""One ORM object by a unique column (a product by its SKU, a bin by its code, a token by its
digest) without the ORM's query machinery: database.one_by() with the speed machinery on.

An ORM query with the read transaction around it took about 310 µs of CPU on SQLite, and a scan
made four. The loader runs one SELECT of the table's columns, compiled once by SQLAlchemy (the
SQL text it would send) and executed on SQLite's own cursor; it converts the values with the
column types' own result processors and hands the object to the session as loaded, exactly as a
query would (or the session's own copy, when it holds that row already): about 80 µs. Inside
reading_first() it reads outside any transaction (one statement is its own snapshot) and so
begins none. Driver errors are raised as SQLAlchemy's (OperationalError...), as callers expect.

With changes waiting in the session it queries as usual: a query would flush them first.
"""
import sqlite3

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import configure_mappers, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from warehouse_app.database import engine_of, has_changes
from warehouse_app.speed.reads import reading_connection, reads_alone


class Loader:
    """The objects of one model by the value of one of its unique columns."""

    __slots__ = ("model", "column", "mapper", "keys", "primary", "statement", "_sqlite")

    def __init__(self, column):
        self.model, self.column = column.class_, column
        self.mapper = inspect(self.model)
        columns = list(self.mapper.local_table.columns)
        self.keys = [self.mapper.get_property_by_column(c).key for c in columns]
        self.primary = [columns.index(c) for c in self.mapper.primary_key]
        self.statement = select(*columns).where(column == bindparam("k"))
        self._sqlite = None  # (SQL text, the key's bind processor, each column's result one)

    def one(self, session, value):
        """The object whose column holds this value, or None."""
        if has_changes(session):
            return session.scalar(select(self.model).where(self.column == value))
        row = self._row(session, engine_of(session).dialect, value)  # SQLite's (speed.init_app)
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

    def _compiled(self, dialect):
        if self._sqlite is None:
            configure_mappers()  # a query would have set up the mappers' attributes first
            # Named parameters (":k"), which SQLite's driver takes as a mapping: the SQL text
            # is the one SQLAlchemy would send.
            compiled = self.statement.compile(dialect=type(dialect)(paramstyle="named"))
            key_type = compiled.binds["k"].type.dialect_impl(dialect)
            self._sqlite = (compiled.string, key_type.bind_processor(dialect),
                            [column.type.dialect_impl(dialect).result_processor(dialect, None)
                             for column in self.mapper.local_table.columns])
        return self._sqlite

    def _row(self, session, dialect, value):
        sql, bind, processors = self._compiled(dialect)
        if reads_alone(session):  # autocommit: one statement reads its own snapshot
            driver = reading_connection(session)
        else:
            driver = session.connection().connection.dbapi_connection
        args = {"k": value if bind is None else bind(value)}
        cursor = driver.cursor()
        try:
            raw = cursor.execute(sql, args).fetchone()
        except sqlite3.Error as err:
            raise DBAPIError.instance(sql, args, err, sqlite3.Error) from err
        finally:
            cursor.close()
        if raw is None:
            return None
        return [cell if process is None else process(cell)
                for process, cell in zip(processors, raw, strict=True)]
