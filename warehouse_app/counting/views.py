"""The counter's pages: the start page, one count on the phone, and the JSON calls it makes."""
from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from warehouse_app.counting import (  # noqa: F401  (desk_views: the supervisor's pages)
    approval,
    bp,
    counting,
    desk_views,
    present,
    session,
)
from warehouse_app.counting.documents import (
    by_reference,
    in_callers_warehouses,
    open_count_with_bin,
    status_words,
)
from warehouse_app.counting.inputs import COUNT_LINE_IN, COUNT_SCAN_IN
from warehouse_app.counting.models import BinStatus, Count, CountBin, CountStatus
from warehouse_app.errors import DomainError, json_object
from warehouse_app.extensions import db
from warehouse_app.inputs import load
from warehouse_app.scanning.resolver import resolve

LISTED = 30


def _user():
    return current_user._get_current_object()


def _open_counts() -> list[tuple[Count, int, int]]:
    """Counts being counted, newest first, with bins closed and bins in all."""
    counts = db.session.scalars(select(Count).where(Count.status == CountStatus.OPEN,
                                                    in_callers_warehouses())
                                .order_by(Count.id.desc()).limit(LISTED)).all()
    tallies: dict[tuple[int, bool], int] = {}
    for cid, status, n in db.session.execute(
            select(CountBin.count_id, CountBin.status, func.count(CountBin.id))
            .where(CountBin.count_id.in_([c.id for c in counts]))
            .group_by(CountBin.count_id, CountBin.status)):
        key = (cid, status is BinStatus.CLOSED)
        tallies[key] = tallies.get(key, 0) + n
    return [(c, tallies.get((c.id, True), 0),
             tallies.get((c.id, True), 0) + tallies.get((c.id, False), 0)) for c in counts]


def _go_to(code: str):
    """Where a scanned code on the start page leads: its count, or the count holding a bin."""
    scan = resolve(code)
    if scan.type == "count":
        return redirect(url_for("counting.count_page", reference=scan.document.reference), 303)
    if scan.type == "location" and (found := open_count_with_bin(scan.location)):
        return redirect(url_for("counting.count_page", reference=found.reference,
                                bin=scan.location.code), 303)
    what = f"bin {scan.location.code} is in no open count" if scan.location else \
        f"{code[:60]} is a {scan.type.replace('_', ' ')}"
    raise DomainError(f"That {what}: scan a count sheet or a bin of an open count.",
                      field="code")


@bp.get("/", endpoint="index")
@login_required
def index():
    """Start counting: scan a count sheet or a bin, or pick an open count."""
    code = request.args.get("code", "").strip()[:256]
    if code:
        try:
            return _go_to(code)
        except DomainError as err:
            flash(err.message, "error")
    pending = db.session.scalar(select(func.count(Count.id))
                                .where(Count.status == CountStatus.PENDING))
    return render_template("counting/index.html", counts=_open_counts(), code=code,
                           pending=pending)


@bp.get("/<reference>", endpoint="count_page")
@login_required
def count_page(reference: str):
    """One count: the phone walk while it is open, else what became of it."""
    count = by_reference(reference)
    if count.status is CountStatus.OPEN:
        return render_template("counting/count.html", count=count,
                               bins=present.bins_of(count), start=request.args.get("bin", ""),
                               state=present.count_json(count))
    books = present.sees_books(count)
    return render_template("counting/review.html", count=count, books=books,
                           bins=present.bins_of(count)[:present.SHOWN_BINS],
                           lines=present.current_lines(count),
                           decisions=present.decisions(count), said=status_words(count),
                           moves={}, waiting=[])


@bp.get("/<reference>/state")
@login_required
def state(reference: str):
    """The count as the phone shows it (JSON): bins in walking order, what was counted."""
    return jsonify(present.count_json(by_reference(reference)))


def _answer(done: counting.Counted):
    line = done.line
    return jsonify({"line": present.line_json(line, present.sees_books(line.bin.count)),
                    "bin": line.bin.location.code, "bin_status": line.bin.status.value,
                    "scan": done.scan_id, "replayed": done.replayed}), 200 if done.replayed else 201


@bp.post("/<reference>/scan")
@login_required
def scan(reference: str):
    """One scan (or typed quantity) in a bin: adds to the product's count there."""
    count = by_reference(reference)
    done = counting.add(count, load(COUNT_SCAN_IN, request.get_json(silent=True)), _user())
    db.session.commit()
    return _answer(done)


@bp.post("/<reference>/set")
@login_required
def set_line(reference: str):
    """A corrected total for a product in a bin: replaces what was counted."""
    count = by_reference(reference)  # the API's line: its schema, its function
    done = counting.set_counted(count, load(COUNT_LINE_IN, request.get_json(silent=True)),
                                _user())
    db.session.commit()
    return _answer(done)


@bp.get("/<reference>/posted")
@login_required
def posted(reference: str):
    """The caller's scans in this count and the one undo would take back, so "Posted this
    session" and undo survive a reload of the phone's page."""
    return jsonify(session.session_json(by_reference(reference), _user()))


@bp.post("/<reference>/undo")
@login_required
def undo(reference: str):
    """Take back the caller's last scan in this count, once."""
    done = session.undo(by_reference(reference), request.get_json(silent=True), _user())
    db.session.commit()
    return _answer(done)


@bp.post("/<reference>/close")
@login_required
def close(reference: str):
    """Done with a bin (or it is empty): the books' balances are taken now."""
    count = by_reference(reference)
    cbin = counting.close_bin(count, request.get_json(silent=True), _user())
    db.session.commit()
    return jsonify({"location": cbin.location.code, "status": cbin.status.value}), 200


@bp.post("/<reference>/reopen")
@login_required
def reopen(reference: str):
    """Count a closed bin again."""
    data = json_object()
    cbin = counting.reopen_bin(by_reference(reference), data.get("location"), _user())
    db.session.commit()
    return jsonify({"location": cbin.location.code, "status": cbin.status.value}), 200


@bp.post("/<reference>/submit")
@login_required
def submit(reference: str):
    """Submit the count: within tolerance posts now, the rest waits for a supervisor."""
    data = json_object()
    count = by_reference(reference)
    outcome = approval.submit(count, _user(), data.get("client_op_id"))
    db.session.commit()
    return jsonify({"reference": count.reference, "status": count.status.value,
                    "said": status_words(count), "replayed": outcome.replayed,
                    "matched_or_posted": outcome.matched + outcome.posted,
                    "waiting": outcome.waiting}), 200


FORM_ACTIONS = {"scan": counting.add, "empty": counting.close_bin, "close": counting.close_bin}


@bp.post("/<reference>/form")
@login_required
def form(reference: str):
    """The same steps from plain forms, for a browser without JavaScript."""
    count, action = by_reference(reference), request.form.get("action", "")
    data = {k: v for k, v in request.form.items() if k not in ("csrf_token", "action")}
    data["empty"] = action == "empty"
    try:
        if action == "submit":
            approval.submit(count, _user())
        elif action in FORM_ACTIONS:
            FORM_ACTIONS[action](count, data, _user())
        else:
            raise DomainError("Choose what to do.", field="action")
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        db.session.commit()
        flash(status_words(count) if action == "submit" else "Saved.", "ok")
    return redirect(url_for("counting.count_page", reference=count.reference,
                            bin=request.form.get("location", "")), 303)
