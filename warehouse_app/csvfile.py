"""CSV files in and out: read an upload safely, run its rows all-or-nothing, write a download.

An import checks every row, each in its own savepoint, and collects every bad row with its line
number; if any row is bad the caller rolls the whole import back, so a file imports entirely or
not at all.

A big file must not stall the floor: one transaction writing 50,000 rows held SQLite's one
write lock (and on PostgreSQL the rows it updated) for over a minute, and the scans waiting
behind it were refused. So the importers whose rows do not need each other's writes run
`chunked`: every row is first checked in short transactions that are rolled back, and only a
file without a bad row is then written in short committed ones. Each transaction lasts about
CHUNK_SECONDS, and between two of them the scans queued for the lock go first. A key given
twice in one file (`once`) is refused before, as a check chunk by chunk cannot see it. The
importers whose rows build on earlier rows (locations under a parent made a line before)
stay in one transaction; their files are small.

Row by row, each row a savepoint and several statements, a 5 MB file of new products took
minutes even on a quiet machine, and much longer beside busy scanners. So an importer may also
give `Many`: rows it can check without writing (in Python, and with one question to the
database for many rows) are left out of the check, and are written MANY_ROWS to a transaction
in a few statements. A row it cannot vouch for goes the row-by-row way, and so does a batch
that fails when written (somebody took a code meanwhile): its rows, one by one, find the line.
"""
import csv
import io
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import groupby

from flask import Response, current_app
from sqlalchemy.exc import IntegrityError

from warehouse_app.database import let_others_write
from warehouse_app.errors import DomainError, clash
from warehouse_app.extensions import db

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
CHUNK_SECONDS = 0.02  # a chunked import's transactions hold their locks about this long
MANY_ROWS = 100  # rows written together by an importer's Many, one transaction each
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class FileRefused(DomainError):
    """The file as a whole cannot be imported (not CSV, not text, too big, wrong columns)."""

    status = 400
    code = "bad_file"


@dataclass(frozen=True)
class RowError:
    line: int
    message: str
    field: str | None = None  # the column of the bad cell, when one cell is to blame


class BadRows(DomainError):
    """Some rows are wrong; the whole file was refused."""

    code = "bad_rows"

    def __init__(self, errors: list[RowError]):
        lines = len({e.line for e in errors})
        super().__init__(f"{lines} bad row(s); nothing was imported. Fix them and try "
                         "again.", field="file")
        self.errors = errors

    def to_dict(self) -> dict:
        """The error, with every bad cell: line, field (the column) and message."""
        body = super().to_dict()
        body["error"]["rows"] = [{"line": e.line, "field": e.field, "message": e.message}
                                 for e in self.errors]
        return body


@dataclass
class Upload:
    """An uploaded CSV file's rows, each with the line number it starts on."""

    name: str
    rows: list[tuple[int, dict[str, str]]]
    errors: list[RowError]
    data: bytes


def _text(storage) -> tuple[str, bytes]:
    name = (getattr(storage, "filename", "") or "").strip()
    if not name:
        raise FileRefused("Choose a CSV file to import.", field="file")
    if not name.lower().endswith(".csv"):
        raise FileRefused(f"{name[:80]} is not a .csv file.", field="file")
    limit = current_app.config.get("IMPORT_MAX_BYTES", MAX_BYTES)
    data = storage.stream.read(limit + 1)
    if len(data) > limit:
        raise FileRefused(f"The file is larger than {limit // 1024} KB; split it into smaller "
                          "files.", field="file")
    if b"\x00" in data:
        raise FileRefused("This is not a text CSV file.", field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("The file is not UTF-8 text; save it as “CSV UTF-8”.",
                          field="file") from None
    if not text.strip():
        raise FileRefused("The file is empty.", field="file")
    return text, data


def _header(reader, required: set[str], optional: set[str]) -> list[str]:
    header = [cell.strip().lower() for cell in next(reader)]
    missing = sorted(required - set(header))
    if missing:
        raise FileRefused(f"Missing column(s): {', '.join(missing)}. The first line must name "
                          "the columns.", field="file")
    unknown = sorted(set(header) - required - optional - {""})
    if unknown:
        raise FileRefused(f"Unknown column(s): {', '.join(c[:40] for c in unknown)}.",
                          field="file")
    if len(set(header)) != len(header):
        raise FileRefused("A column is named twice in the first line.", field="file")
    return header


def body_file(data: bytes, name: str = "body.csv"):
    """A request body sent as text/csv, read as an uploaded file is."""
    from werkzeug.datastructures import FileStorage
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type="text/csv")


def read(storage, required: set[str], optional: set[str]) -> Upload:
    """Rows of an uploaded CSV file, refusing what is not a readable CSV with these columns."""
    text, data = _text(storage)
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, errors, line = [], [], 1
    try:
        header = _header(reader, required, optional)
        line = reader.line_num + 1
        for values in reader:
            start, line = line, reader.line_num + 1
            if not any(v.strip() for v in values):
                continue
            if len(rows) + len(errors) >= MAX_ROWS:
                raise FileRefused(f"More than {MAX_ROWS:,} rows; split the file.", field="file")
            if len(values) > len(header):
                errors.append(RowError(start, f"{len(values)} cells but {len(header)} columns."))
                continue
            values = [unsafe(v) for v in values] + [""] * (len(header) - len(values))
            rows.append((start, dict(zip(header, values, strict=True))))
    except csv.Error as err:
        raise FileRefused(f"Line {reader.line_num}: this is not valid CSV ({err}).",
                          field="file") from None
    return Upload(name=storage.filename, rows=rows, errors=errors, data=data)


class Interrupted(DomainError):
    """A chunked import found a row it could no longer write (the database changed since the
    check); the lines before it are in."""

    status = 409
    code = "import_interrupted"


@dataclass
class Many:
    """How an importer writes many rows at once (see the module's text). `ready` takes rows
    and answers the lines it vouches for (checked, nothing written); `write` writes some of
    those in the current transaction and answers its counts; `forget` drops what `ready` and
    `write` remembered of the database when a batch was undone."""

    ready: Callable[[list[tuple[int, dict[str, str]]]], dict[int, str]]
    write: Callable[[list[tuple[int, dict[str, str]]]], Counter]
    forget: Callable[[], None]


def bad_cells(upload: Upload, checks: dict[str, Callable[[str], object]]) -> list[RowError]:
    """Every bad cell of every line, found without writing anything: each column's check (a
    function of the cell's text that raises DomainError) run on every row that has it."""
    errors = []
    for line, row in upload.rows:
        for column, check in checks.items():
            if column in row:
                try:
                    check(row[column])
                except DomainError as err:
                    errors.append(RowError(line, err.message, column))
    return errors


def run(upload: Upload, handle: Callable[[dict[str, str]], str], chunked: bool = False,
        errors: list[RowError] | None = None, many: Many | None = None) -> Counter:
    """Apply handle to every row in its own savepoint; raise BadRows naming every bad line.

    Without `chunked` it all happens in the caller's transaction, which commits or rolls back.
    With it, the rows are checked and then written in short transactions of their own (see the
    module's text), so the caller's transaction is committed first and nothing is left to
    roll back. `errors`: bad lines the caller found in the file as a whole (`once`). `many`
    (chunked only): the rows it vouches for skip the check and are written many at once."""
    errors = list(upload.errors) + list(errors or [])
    if chunked:
        db.session.commit()
    known = {e.line for e in errors}  # a line already found bad is not run as well
    rows = [r for r in upload.rows if r[0] not in known]
    ready = many.ready(rows) if chunked and many else {}
    if ready:
        db.session.rollback()  # its questions took no locks worth keeping
    counts = _apply([r for r in rows if r[0] not in ready], handle, errors, keep=not chunked)
    counts.update(ready.values())
    if errors:
        raise BadRows(sorted(errors, key=lambda e: e.line))
    if not counts:
        raise FileRefused("The file has a header but no rows.", field="file")
    if not chunked:
        return counts
    written: Counter = Counter()
    for vouched, part in groupby(upload.rows, key=lambda r: r[0] in ready):
        part = list(part)
        written += (_write_many(part, many, handle, errors) if vouched
                    else _apply(part, handle, errors, keep=True, commit=True))
        if errors:
            break
    if errors:
        done = [line for line, _ in upload.rows if line < errors[0].line]
        raise Interrupted(
            f"Line {errors[0].line}: {errors[0].message} It changed since the file was checked"
            + (f"; lines {done[0]}-{done[-1]} were imported." if done
               else "; nothing was imported."))
    return written


def _apply(rows, handle, errors: list[RowError], keep: bool, commit: bool = False) -> Counter:
    """Each row in its own savepoint. keep=False: in transactions of about CHUNK_SECONDS, each
    rolled back (a check). commit=True: in such transactions, each committed, stopping at the
    first bad row (the rows before it committed). Otherwise all in the current transaction."""
    counts: Counter = Counter()
    chunked = commit or not keep
    started = None
    for line, row in rows:
        try:
            with db.session.begin_nested():
                counts[handle(row)] += 1
        except DomainError as err:
            errors.append(RowError(line, err.message, err.field))
        except IntegrityError as err:  # a concurrent writer took a key meanwhile
            errors.append(RowError(line, clash(err)[1]))
        if commit and errors:  # its savepoint is undone; the rows before it are kept
            db.session.commit()
            return counts
        if not chunked:
            continue
        now = time.monotonic()
        started = started or now  # the first row waited for the lock; the chunk starts after
        if now - started >= CHUNK_SECONDS:
            _end_chunk(commit)
            started = None
    if chunked:
        _end_chunk(commit)
    return counts


def _write_many(rows, many: Many, handle, errors: list[RowError]) -> Counter:
    """MANY_ROWS to a transaction; a batch that cannot be written is undone and its rows go
    one by one, which names the line that stops the import (the lines before it are kept)."""
    counts: Counter = Counter()
    for start in range(0, len(rows), MANY_ROWS):
        batch = rows[start:start + MANY_ROWS]
        try:
            with db.session.begin_nested():
                done = many.write(batch)
        except (DomainError, IntegrityError):
            many.forget()
            counts += _apply(batch, handle, errors, keep=True, commit=True)
            if errors:
                return counts
            continue
        counts += done
        _end_chunk(True)
    return counts


def _end_chunk(commit: bool) -> None:
    if commit:
        db.session.commit()
    else:
        db.session.rollback()
    let_others_write()


def once(upload: Upload, keys: Callable[[dict[str, str]], Iterable[str]],
         what: str, field: str | None = None) -> list[RowError]:
    """A bad line for each key (compared without case) already given on an earlier line."""
    seen: dict[str, int] = {}
    errors = []
    for line, row in upload.rows:
        for key in keys(row):
            folded = key.strip().casefold()
            if not folded:
                continue
            if folded in seen:
                errors.append(RowError(line, f"{what} {key.strip()[:60]} is also on line "
                                             f"{seen[folded]}; each may appear once.", field))
                break
            seen[folded] = line
    return errors


def safe_cell(value: str) -> str:
    """Text a spreadsheet will not run as a formula (a leading ' that unsafe() removes). Text
    that already starts with ' gets one more, so that it comes back whole ('=1 stays '=1)."""
    text = value or ""
    return "'" + text if text.startswith(FORMULA_START + ("'",)) else text


def unsafe(text: str) -> str:
    """Undo safe_cell (every imported cell goes through it) and trim surrounding space."""
    text = (text or "").strip()
    return (text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START + ("'",))
            else text)


def download(name: str, header: list[str], rows: Iterable[list]) -> Response:
    """A CSV file to save, with a header line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_cell(v) if isinstance(v, str) else v for v in row] for row in rows)
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})
