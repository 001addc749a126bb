"""Alerts by e-mail: queued in the alert's own transaction, sent by `flask alerts mail`.

When a flush writes a new alert, a row per reader goes into the alert_mail outbox in the same
transaction: every active supervisor and admin with an e-mail address who takes mail, a user
kept to some warehouses only for alerts of a bin in those, as the alert list shows them
(alerts.of_caller). A rolled-back movement queues nothing.

A run of `flask alerts mail` claims what is due with one UPDATE (so two runs at once never
take the same row, on PostgreSQL or SQLite), commits the claim, then talks to the SMTP server
(MAIL_* settings) outside any transaction: one mail per alert for who chose `immediate`, one
mail per user and day for who chose `digest` (sent once the day is over, or at once with
--digest). Each mail is marked sent as soon as the server took it; a failure puts its rows back
with their attempt count and the error, for the next run.
"""
import smtplib
import ssl
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from flask import current_app
from sqlalchemy import case, event, func, select, update
from sqlalchemy.orm import Session, selectinload

from warehouse_app.auth import warehouses
from warehouse_app.auth.models import MailPreference, Role, User
from warehouse_app.extensions import db
from warehouse_app.insight.models import Alert, AlertKind, AlertMail, MailStatus
from warehouse_app.locations.models import Location
from warehouse_app.models import utcnow

READERS = (Role.SUPERVISOR, Role.ADMIN)
LABELS = {AlertKind.LOW_STOCK: "Low stock", AlertKind.OUT_OF_STOCK: "Out of stock",
          AlertKind.EXPIRING: "Lot expiring", AlertKind.DEAD_STOCK: "Dead stock",
          AlertKind.COUNT_LOSS: "Count loss"}
_MAIL = AlertMail.__table__


# -- queueing ------------------------------------------------------------------------------

def takes_mail(user) -> bool:
    """Whether alerts reach this user by mail now."""
    return bool(user.active and user.role in READERS and user.email
                and user.alert_mail is not MailPreference.NONE)


_READERS = select(User.id, User.role, User.warehouses, User.alert_mail).where(
    User.active.is_(True), User.role.in_(READERS), User.email.is_not(None),
    User.alert_mail != MailPreference.NONE)


def _concerns(connection, raised: list[Alert]) -> dict[int, set[int]]:
    """For each alert, the warehouses it concerns: its bin's. An alert of no bin (stock, an
    expiring lot or dead stock of every warehouse taken together) concerns them all together:
    as on the alert list (alerts.of_caller), only readers of every warehouse get it."""
    placed = {a.location_id for a in raised if a.location_id}
    where = dict(connection.execute(select(Location.id, Location.warehouse_id)
                                    .where(Location.id.in_(placed))).all()) if placed else {}
    return {a.id: ({where.get(a.location_id)} if a.location_id else set()) for a in raised}


def queue(connection, raised: list[Alert]) -> int:
    """Write a mail row for each reader of each new alert; answers how many."""
    readers = connection.execute(_READERS).all()
    if not readers:
        return 0
    kept = {r.id: warehouses.of_user(r) for r in readers}
    concerns = _concerns(connection, raised) if any(v is not None for v in kept.values()) else {}
    now, rows = utcnow(), []
    for alert in raised:
        day = (alert.raised_at or now).date()
        for reader in readers:
            allowed = kept[reader.id]
            if allowed is not None and not (concerns[alert.id] & allowed):
                continue
            rows.append({"alert_id": alert.id, "user_id": reader.id, "day": day,
                         "digest": reader.alert_mail is MailPreference.DIGEST,
                         "status": MailStatus.PENDING.value, "attempts": 0, "last_error": "",
                         "created_at": now})
    if rows:
        connection.execute(_MAIL.insert(), rows)
    return len(rows)


@event.listens_for(Session, "after_flush")
def queue_raised(session: Session, _context) -> None:
    """New alerts in this flush: their mails join the outbox in the same transaction."""
    raised = [obj for obj in session.new if isinstance(obj, Alert)]
    if raised:
        queue(session.connection(), raised)


# -- sending -------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What one run did: mails the server took, mails that failed, rows dropped."""

    sent: int = 0
    failed: int = 0
    dropped: int = 0
    errors: list[str] = field(default_factory=list)


def claim(now: datetime, digest_now: bool = False) -> str:
    """Take every due row for this run with one UPDATE (the caller commits); its token."""
    token = uuid.uuid4().hex
    stale = now - timedelta(minutes=current_app.config["MAIL_CLAIM_MINUTES"])
    db.session.execute(update(AlertMail).where(AlertMail.status == MailStatus.SENDING,
                                               AlertMail.claimed_at < stale)
                       .values(status=MailStatus.PENDING, claim=None))
    due = AlertMail.status == MailStatus.PENDING
    if not digest_now:
        due &= AlertMail.digest.is_(False) | (AlertMail.day < now.date())
    db.session.execute(update(AlertMail).where(due)
                       .values(status=MailStatus.SENDING, claim=token, claimed_at=now))
    return token


def _settle(ids: list[int], token: str, **values) -> None:
    db.session.execute(update(AlertMail).where(AlertMail.id.in_(ids), AlertMail.claim == token)
                       .values(claim=None, **values))
    db.session.commit()


def _failed(ids: list[int], token: str, err: Exception) -> None:
    """Back to pending with one more attempt and the error; given up after MAIL_MAX_ATTEMPTS."""
    most = current_app.config["MAIL_MAX_ATTEMPTS"]
    message = (f"{type(err).__name__}: {err}")[:500]
    _settle(ids, token, attempts=AlertMail.attempts + 1, last_error=message,
            status=case((AlertMail.attempts + 1 >= most, MailStatus.FAILED.value),
                        else_=MailStatus.PENDING.value))


def connect() -> smtplib.SMTP:
    """A logged-in connection to the MAIL_SERVER."""
    cfg = current_app.config
    host, port, timeout = cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"]), cfg["MAIL_TIMEOUT"]
    if cfg["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if cfg["MAIL_USE_TLS"] and not cfg["MAIL_USE_SSL"]:
            smtp.starttls(context=ssl.create_default_context())
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
    except BaseException:
        smtp.close()
        raise
    return smtp


def send_due(digest_now: bool = False, now: datetime | None = None) -> Outcome:
    """One run: claim what is due, send it, mark each mail sent or failed."""
    now, outcome = now or utcnow(), Outcome()
    token = claim(now, digest_now)
    db.session.commit()
    rows = db.session.scalars(
        select(AlertMail).where(AlertMail.claim == token).order_by(AlertMail.id)
        .options(selectinload(AlertMail.user),
                 selectinload(AlertMail.alert).selectinload(Alert.product))).all()
    gone = [row for row in rows if not takes_mail(row.user)]
    letters = compose([row for row in rows if takes_mail(row.user)], now)
    if gone:
        _settle([row.id for row in gone], token, status=MailStatus.DROPPED.value)
        outcome.dropped = len(gone)
    if not letters:
        return outcome
    try:
        smtp = connect()
    except (OSError, smtplib.SMTPException) as err:
        _failed([i for ids, _m in letters for i in ids], token, err)
        outcome.failed, outcome.errors = len(letters), [str(err) or type(err).__name__]
        return outcome
    with smtp:
        for number, (ids, message) in enumerate(letters):
            try:
                smtp.send_message(message)
            except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as err:
                _failed(ids, token, err)  # this mail only; the connection goes on
                outcome.failed += 1
                outcome.errors.append(str(err))
                continue
            except (OSError, smtplib.SMTPException) as err:  # the connection is gone
                _failed([i for rest, _m in letters[number:] for i in rest], token, err)
                outcome.failed += len(letters) - number
                outcome.errors.append(str(err) or type(err).__name__)
                break
            _settle(ids, token, status=MailStatus.SENT.value, sent_at=utcnow(), last_error="")
            outcome.sent += 1
    return outcome


# -- the mails -----------------------------------------------------------------------------

def compose(rows: list[AlertMail], now: datetime) -> list[tuple[list[int], EmailMessage]]:
    """The mails these claimed rows make: (the rows' ids, the message)."""
    letters = []
    digests = defaultdict(list)
    for row in rows:
        if row.digest:
            digests[(row.user_id, row.day)].append(row)
        else:
            alert = row.alert
            subject = f"{LABELS[alert.kind]}: {alert.product.sku} {alert.product.name}"
            letters.append(([row.id], _message(row.user, subject, _about(alert), now)))
    for (_user, day), group in sorted(digests.items(), key=lambda item: item[0][1]):
        found = len(group)
        subject = f"Warehouse alerts of {day:%Y-%m-%d}: {found} alert{'' if found == 1 else 's'}"
        body = "\n\n".join(_about(row.alert) for row in group)
        letters.append(([row.id for row in group], _message(group[0].user, subject, body, now)))
    return letters


def _about(alert: Alert) -> str:
    product = alert.product
    lines = [f"{LABELS[alert.kind]}: {product.sku} {product.name}", alert.message,
             f"Raised {alert.raised_at:%Y-%m-%d %H:%M} UTC."]
    if alert.cleared_at is not None:
        lines.append(f"Cleared since, {alert.cleared_at:%Y-%m-%d %H:%M} UTC.")
    return "\n".join(lines)


def _message(user: User, subject: str, body: str, now: datetime) -> EmailMessage:
    cfg = current_app.config
    sender = cfg["MAIL_DEFAULT_SENDER"]
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = formataddr((user.full_name or user.username, user.email))
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid("alert", domain=sender.rpartition("@")[2] or "localhost")
    link = cfg["APP_BASE_URL"].rstrip("/")
    footer = (f"\n\nOpen alerts: {link}/insight/alerts" if link else "") + (
        "\n\n-- \nYou get this as a supervisor or admin of the warehouse app. Change your "
        "address or choose a daily digest (or no mail) on your account page.")
    message.set_content(body + footer)
    return message


def backlog() -> dict[str, int]:
    """How many mail rows are in each state (for the command's summary)."""
    found = db.session.execute(select(AlertMail.status, func.count(AlertMail.id))
                               .group_by(AlertMail.status)).all()
    return {status.value: count for status, count in found}
