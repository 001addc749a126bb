"""Submitting a count and the supervisor's decisions: approve, reject, send back, cancel.

Submit closes any bin still open (its books are read then), refuses while a bin is uncounted,
and sorts every line: matched; within tolerance (posted at once); or waiting for a supervisor
(beyond tolerance, counted while stock moved in the bin, or a loss of reserved units). Each
decision locks the count first and checks its status, so approving twice, or approving a
rejected count, is a 409 and posts nothing; lines remember their movement. Every decision is
a CountDecision row (who, when, why, what it did), audited; the count's status changes are
audited too. A bin whose lines are all settled closes its open count requests.
"""
from decimal import Decimal

from flask import current_app
from sqlalchemy import select, update

from warehouse_app.auth.models import Role
from warehouse_app.counting import posting, snapshot, tolerance
from warehouse_app.counting.counting import op_id
from warehouse_app.counting.documents import lock, refuse_unless
from warehouse_app.counting.models import (
    BinStatus,
    Count,
    CountBin,
    CountDecision,
    CountLine,
    CountStatus,
    DecisionKind,
    LineStatus,
)
from warehouse_app.counting.posting import Outcome
from warehouse_app.database import let_others_write
from warehouse_app.errors import Conflict, DomainError, Forbidden
from warehouse_app.extensions import db
from warehouse_app.ledger.models import CountRequest
from warehouse_app.models import utcnow

NOTE_MAX = 500
DISTURBED = "Stock moved in this bin while it was being counted: a recount is advised."
OPEN_LINES = (LineStatus.COUNTED, LineStatus.WAITING)
# Lines an approval posts in one transaction: about 50 ms of locks. A bigger approval commits
# after each such chunk (those lines stay approved if a later one fails, and the count stays
# waiting with the rest), so scans of the same bins wait for a chunk, not for the whole count.
APPROVE_CHUNK = 40


def _supervisor(user, what: str) -> None:
    if user is None or not user.has_role(Role.SUPERVISOR):
        raise Forbidden(f"Only a supervisor can {what} a count.", field="count")


def _note(note, required: bool) -> str:
    text = note.strip() if isinstance(note, str) else ""
    if note not in (None, "") and not isinstance(note, str):
        raise DomainError("The reason is text.", field="note")
    if required and not text:
        raise DomainError("Say why (the reason goes into the audit trail).", field="note")
    if len(text) > NOTE_MAX:
        raise DomainError(f"The reason is at most {NOTE_MAX} characters.", field="note")
    return text


def _decide(count: Count, kind: DecisionKind, user, note: str, detail: str) -> CountDecision:
    decision = CountDecision(count=count, count_id=count.id, kind=kind, note=note,
                             user_id=getattr(user, "id", None), detail=detail)
    db.session.add(decision)
    db.session.flush()
    return decision


def _close_remaining(count: Count, user) -> None:
    """Close the bins still being counted (the API's lines) and refuse uncounted ones."""
    cbins = db.session.scalars(select(CountBin).where(CountBin.count_id == count.id,
                                                      CountBin.status != BinStatus.CLOSED)).all()
    untouched = sorted(b.location.code for b in cbins if b.status is BinStatus.TO_COUNT)
    if untouched:
        more = f" and {len(untouched) - 8} more" if len(untouched) > 8 else ""
        raise Conflict(f"Not counted yet: {', '.join(untouched[:8])}{more}. Count each bin, or "
                       "confirm it empty, before submitting.", field="count",
                       code="bins_not_counted")
    snapshot.close_bins(count, list(cbins), user)


def _classify(count: Count, outcome: Outcome) -> tuple[list, dict[int, str]]:
    """Rows to post now, and rows that wait with their reason; matched lines marked at once."""
    outcome.matched += db.session.execute(
        update(CountLine).where(CountLine.count_id == count.id,
                                CountLine.status == LineStatus.COUNTED,
                                CountLine.counted == CountLine.expected)
        .values(status=LineStatus.MATCHED).execution_options(synchronize_session=False)
    ).rowcount
    posting.forget_lines()
    rows = posting.lines(count, LineStatus.COUNTED)
    moved = set(db.session.scalars(select(CountBin.id).where(CountBin.count_id == count.id,
                                                            CountBin.disturbed.is_(True))))
    rules = tolerance.rules_for({r.product_id for r in rows})
    to_post, waiting = [], {}
    for row in rows:
        rule = rules[row.product_id]
        if row.bin_id in moved:
            waiting[row.id] = DISTURBED
        elif not rule.within(row.expected, row.counted, row.unit_cost):
            where = "" if rule.source == "default" else f" (the {rule.source} rule)"
            waiting[row.id] = f"Beyond tolerance: {rule.describe()}{where}."
        else:
            to_post.append(row)
    return to_post, waiting


def settle_requests(count: Count) -> int:
    """Resolve the open count requests of every bin whose lines are all settled (set-based)."""
    unsettled = set(db.session.scalars(select(CountLine.bin_id).where(
        CountLine.count_id == count.id, CountLine.status.in_(OPEN_LINES))))
    groups: dict[int | None, list[int]] = {}
    for bin_id, location_id, product_id in db.session.execute(
            select(CountBin.id, CountBin.location_id, CountBin.product_id).where(
                CountBin.count_id == count.id, CountBin.status == BinStatus.CLOSED)):
        if bin_id not in unsettled:
            groups.setdefault(product_id, []).append(location_id)
    done, now = 0, utcnow()
    for product_id, locations in groups.items():
        for ids in snapshot.chunks(locations):
            query = update(CountRequest).where(CountRequest.location_id.in_(ids),
                                               CountRequest.resolved_at.is_(None))
            if product_id is not None:  # a count of one product settles requests about it
                query = query.where(CountRequest.product_id == product_id)
            done += db.session.execute(query.values(resolved_at=now).execution_options(
                synchronize_session=False)).rowcount
    return done


def submit(count: Count, user, client_op_id=None) -> Outcome:
    """Close the count: post what is within tolerance, leave the rest for a supervisor.

    A count with more than APPROVE_CHUNK lines to post posts them a chunk to a commit, the
    count still open: each chunk's lines are settled (posted, or waiting with their reason)
    whatever happens to the rest, and submitting again goes on with the lines still counted."""
    op = op_id(client_op_id)
    outcome = Outcome(count)
    while True:
        lock(count)
        if op and count.submit_op_id == op:  # also a retry that waited for the first's chunks
            return Outcome(count, replayed=True)
        refuse_unless(count, CountStatus.OPEN)
        _close_remaining(count, user)
        to_post, waiting = _classify(count, outcome)
        if len(to_post) <= APPROVE_CHUNK:
            break
        stuck = posting.post(count, to_post[:APPROVE_CHUNK], user, outcome, release=False)
        posting.mark([{"id": i, "reason": why[:300]} for i, why in stuck.items()],
                     LineStatus.WAITING)
        db.session.commit()  # these lines are settled; the floor's scans go between chunks
        let_others_write()
    waiting.update(posting.post(count, to_post, user, outcome, release=False))
    posting.mark([{"id": i, "reason": why[:300]} for i, why in waiting.items()],
                 LineStatus.WAITING)
    outcome.waiting = db.session.scalar(select(db.func.count(CountLine.id)).where(
        CountLine.count_id == count.id, CountLine.status == LineStatus.WAITING))
    count.status = CountStatus.PENDING if outcome.waiting else CountStatus.DONE
    count.submitted_at, count.submitted_by_id, count.submit_op_id = utcnow(), user.id, op
    if count.status is CountStatus.DONE:
        count.decided_at = count.submitted_at
    _decide(count, DecisionKind.SUBMIT, user, "", outcome.describe())
    settle_requests(count)
    db.session.flush()
    return outcome


def _not_a_counter(count: Count, user) -> None:
    """Nobody decides on a count they counted in (a line, a scan or a closed bin of theirs)."""
    uid = getattr(user, "id", None)
    counted = db.session.scalar(select(CountLine.id).where(
        CountLine.count_id == count.id, CountLine.counted_by_id == uid).limit(1))
    closed = db.session.scalar(select(CountBin.id).where(
        CountBin.count_id == count.id, CountBin.closed_by_id == uid).limit(1))
    if counted is not None or closed is not None:
        raise Forbidden("You counted in this count: another supervisor decides on it.",
                        field="count")


def _chosen(count: Count, line_ids) -> tuple[list, bool]:
    """The waiting lines a decision is about: the ids given (each must be a waiting line of
    this count), or every waiting line when none are given. True when some were named."""
    rows = posting.lines(count, LineStatus.WAITING)
    if line_ids is None:
        return rows, False
    if (not isinstance(line_ids, list) or not line_ids
            or any(isinstance(i, bool) or not isinstance(i, int) for i in line_ids)):
        raise DomainError("lines is a list of waiting line ids.", field="lines")
    waiting = {r.id: r for r in rows}
    strangers = sorted({i for i in line_ids if i not in waiting})
    if strangers:
        raise Conflict(f"Not waiting lines of this count: {', '.join(map(str, strangers[:8]))}.",
                       field="lines", code="line_not_waiting")
    wanted = set(line_ids)
    return [r for r in rows if r.id in wanted], True


def _value_within_rights(rows, user) -> None:
    """A difference worth more than COUNT_ADMIN_ABOVE (at the cost when the bin closed) is
    an admin's to approve."""
    limit = Decimal(str(current_app.config.get("COUNT_ADMIN_ABOVE", 1000)))
    if user.has_role(Role.ADMIN):
        return
    for row in rows:
        worth = abs((row.counted - row.expected) * (row.unit_cost or Decimal(0)))
        if worth > limit:
            raise Forbidden(f"A difference worth {worth:.2f} (over {limit:.2f}) needs an admin.",
                            field="lines")


def _after_decision(count: Count) -> None:
    """With no line left waiting, the count is done (rejected when nothing of it posted)."""
    left = db.session.scalar(select(db.func.count(CountLine.id)).where(
        CountLine.count_id == count.id, CountLine.status == LineStatus.WAITING))
    if left:
        return
    approved = db.session.scalar(select(CountLine.id).where(
        CountLine.count_id == count.id, CountLine.status == LineStatus.APPROVED).limit(1))
    count.status = CountStatus.DONE if approved is not None else CountStatus.REJECTED
    count.decided_at = utcnow()


def approve(count: Count, user, note=None, lines=None) -> Outcome:
    """Post the waiting differences (those of `lines`, else every one), releasing the
    reservations the losses break; the other lines keep waiting."""
    _supervisor(user, "approve")
    why = _note(note, required=False)
    lock(count)
    refuse_unless(count, CountStatus.PENDING)
    _not_a_counter(count, user)
    rows, some = _chosen(count, lines)
    _value_within_rights(rows, user)
    outcome = Outcome(count)
    wanted = [r.id for r in rows]
    while len(rows) > APPROVE_CHUNK:  # a big approval lets the floor's scans through
        posting.post(count, rows[:APPROVE_CHUNK], user, outcome, release=True)
        db.session.commit()  # these lines are approved whatever happens to the rest
        let_others_write()
        lock(count)
        refuse_unless(count, CountStatus.PENDING)  # another supervisor decided meanwhile
        rows = [r for r in posting.lines(count, LineStatus.WAITING) if r.id in set(wanted)]
    posting.post(count, rows, user, outcome, release=True)
    if some:
        _after_decision(count)
    else:
        count.status, count.decided_at = CountStatus.DONE, utcnow()
    detail = outcome.describe() + (f" Lines {', '.join(str(i) for i in wanted)}." if some
                                   else "")
    _decide(count, DecisionKind.APPROVE, user, why or "Approved.", detail)
    settle_requests(count)
    db.session.flush()
    return outcome


def reject(count: Count, user, note=None, lines=None) -> Outcome:
    """Refuse the waiting differences (those of `lines`, else every one): the books stand,
    nothing posts."""
    _supervisor(user, "reject")
    why = _note(note, required=True)
    lock(count)
    refuse_unless(count, CountStatus.PENDING)
    _not_a_counter(count, user)
    rows, some = _chosen(count, lines)
    posting.mark([{"id": r.id} for r in rows], LineStatus.REJECTED)
    if some:
        _after_decision(count)
        settle_requests(count)
    else:
        count.status, count.decided_at = CountStatus.REJECTED, utcnow()
    _decide(count, DecisionKind.REJECT, user, why,
            f"{len(rows)} waiting line{'s' if len(rows) != 1 else ''} rejected; nothing posted.")
    db.session.flush()
    return Outcome(count, waiting=0)


def recount(count: Count, user, note=None, locations=None) -> list[str]:
    """Send bins with waiting lines back to be counted again, by someone else."""
    _supervisor(user, "send back")
    why = _note(note, required=True)
    lock(count)
    refuse_unless(count, CountStatus.PENDING)
    _not_a_counter(count, user)
    rows = posting.lines(count, LineStatus.WAITING)
    cbins = {b.id: b for b in db.session.scalars(select(CountBin).where(
        CountBin.id.in_({r.bin_id for r in rows})))}
    wanted = {str(code).strip().upper() for code in locations or [] if str(code).strip()}
    chosen = [b for b in cbins.values() if not wanted or b.location.code in wanted]
    if wanted - {b.location.code for b in chosen}:
        raise DomainError(f"Only bins with waiting lines go back: "
                          f"{', '.join(sorted(wanted - {b.location.code for b in chosen}))} "
                          "has none.", field="locations")
    ids = {b.id for b in chosen}
    posting.mark([{"id": r.id} for r in rows if r.bin_id in ids], LineStatus.SUPERSEDED)
    for b in chosen:
        b.not_by_id, b.round, b.status = b.closed_by_id, b.round + 1, BinStatus.TO_COUNT
        b.started_at = b.closed_at = b.closed_by_id = b.close_op_id = None
        b.disturbed = False
    count.status, count.submit_op_id = CountStatus.OPEN, None
    codes = sorted(b.location.code for b in chosen)
    _decide(count, DecisionKind.RECOUNT, user, why, f"Sent back: {', '.join(codes)}.")
    db.session.flush()
    return codes


def cancel(count: Count, user, note=None) -> Count:
    """Withdraw a count nobody has submitted: nothing of it posts."""
    _supervisor(user, "cancel")
    why = _note(note, required=True)
    lock(count)
    refuse_unless(count, CountStatus.OPEN)
    for status, to in ((LineStatus.COUNTED, LineStatus.SUPERSEDED),
                       (LineStatus.WAITING, LineStatus.REJECTED)):
        posting.mark([{"id": r.id} for r in posting.lines(count, status)], to)
    count.status, count.decided_at = CountStatus.CANCELLED, utcnow()
    _decide(count, DecisionKind.CANCEL, user, why, "Cancelled before it was submitted.")
    db.session.flush()
    return count
