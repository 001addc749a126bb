"""Alerts by e-mail: queued with the alert, sent once by `flask alerts mail` through a real SMTP
server (aiosmtpd, started here on a free port), retried after a failure, digests once a day."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.support.mailbox import Mailbox
from warehouse_app.auth import warehouses
from warehouse_app.auth.models import MailPreference, User
from warehouse_app.auth.users import create_user
from warehouse_app.insight import mail
from warehouse_app.insight.models import AlertMail, MailStatus


@pytest.fixture
def mailbox(app):
    box = Mailbox().start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=box.port,
                      MAIL_DEFAULT_SENDER="alerts@shop.example")
    yield box
    box.stop()


@pytest.fixture
def reader(db):
    """A user with an address, a preference and maybe warehouses."""
    def make(name, role="supervisor", email=None, alert_mail="immediate", kept=()):
        user = create_user(name, "password123", role=_role(role), email=email,
                           alert_mail=alert_mail)
        warehouses.keep_user(user, list(kept))
        db.session.commit()
        return user
    return make


def _role(value):
    from warehouse_app.auth.models import Role
    return Role(value)


@pytest.fixture
def widget(shop, move, make_product):
    """A product with a reorder point of 10 and 15 units in WH1's bin."""
    product = make_product("LOW-1", name="Blue widget", reorder_point=10)
    move("receive", product, 15, to_location=shop["A"], unit_cost="1.00")
    return product


def low(move, shop, product):
    """A pick that takes the product to its reorder point: a low-stock alert."""
    move("pick", product, 6, from_location=shop["A"])


def rows(db) -> list[AlertMail]:
    db.session.commit()
    return db.session.scalars(select(AlertMail).order_by(AlertMail.id)).all()


def run(runner, *args):
    return runner.invoke(args=["alerts", "mail", *args])


def test_a_low_stock_alert_is_mailed_once_to_each_supervisor_and_admin_with_an_address(
        db, runner, mailbox, reader, widget, move, shop):
    reader("sup", email="sup@shop.example")
    reader("boss", role="admin", email="Boss@Shop.Example")
    reader("quiet", email="quiet@shop.example", alert_mail="none")
    reader("noaddress")
    reader("floor", role="staff", email="floor@shop.example")
    low(move, shop, widget)
    queued = rows(db)  # queued by the pick's own transaction
    assert sorted(row.user.username for row in queued) == ["boss", "sup"]

    done = run(runner)
    assert done.exit_code == 0, done.output
    assert "Sent 2 mail(s)" in done.output
    assert sorted(r for m in mailbox.received for r in m.recipients) == [
        "Boss@shop.example", "sup@shop.example"]
    for got in mailbox.received:
        assert len(got.recipients) == 1
        assert got.sender == "alerts@shop.example"
        assert got.subject == "Low stock: LOW-1 Blue widget"
        assert "at or below its reorder point of 10" in got.body
    assert {row.status for row in rows(db)} == {MailStatus.SENT}

    again = run(runner)
    assert again.exit_code == 0 and "Sent 0 mail(s)" in again.output
    assert len(mailbox.received) == 2


def test_a_movement_rolled_back_queues_no_mail(db, reader, widget, shop):
    from warehouse_app.ledger.models import MovementKind
    from warehouse_app.ledger.movements import Line, record
    reader("sup", email="sup@shop.example")
    record(Line(MovementKind("pick"), widget, 6, from_location=shop["A"]))
    db.session.flush()
    db.session.rollback()
    assert rows(db) == []


def test_a_mail_the_server_could_not_take_waits_counts_its_attempts_and_goes_once(
        db, runner, mailbox, reader, widget, move, shop):
    reader("sup", email="sup@shop.example")
    low(move, shop, widget)
    mailbox.stop()
    for attempt in (1, 2):
        failed = run(runner)
        assert failed.exit_code == 1 and "1 failed" in failed.output
        [row] = rows(db)
        assert (row.status, row.attempts, row.sent_at) == (MailStatus.PENDING, attempt, None)
        assert "ConnectionRefusedError" in row.last_error
    mailbox.start()
    assert run(runner).exit_code == 0
    assert run(runner).exit_code == 0
    assert [m.recipients for m in mailbox.received] == [["sup@shop.example"]]
    [row] = rows(db)
    assert (row.status, row.attempts, row.last_error) == (MailStatus.SENT, 2, "")


def test_a_recipient_the_server_refuses_fails_alone_and_the_others_go(
        db, runner, mailbox, reader, widget, move, shop):
    reader("sup", email="sup@shop.example")
    reader("gone", email="gone@shop.example")
    mailbox.refused.add("gone@shop.example")
    low(move, shop, widget)
    done = run(runner)
    assert done.exit_code == 1 and "Sent 1 mail(s); 1 failed" in done.output
    assert [m.recipients for m in mailbox.received] == [["sup@shop.example"]]
    states = {row.user.username: (row.status, row.attempts) for row in rows(db)}
    assert states == {"sup": (MailStatus.SENT, 0), "gone": (MailStatus.PENDING, 1)}
    assert "550" in rows(db)[1].last_error


def test_a_digest_user_gets_one_mail_for_the_day_once_the_day_is_over(
        db, runner, mailbox, reader, widget, move, shop, make_product, time_machine,
        fixed_clock):
    reader("sup", email="sup@shop.example", alert_mail="digest")
    reader("now", email="now@shop.example")
    other = make_product("LOW-2", name="Red widget", reorder_point=5)
    move("receive", other, 6, to_location=shop["A"], unit_cost="1.00")
    low(move, shop, widget)
    move("pick", other, 2, from_location=shop["A"])
    assert run(runner).exit_code == 0
    assert [m.recipients for m in mailbox.received] == [["now@shop.example"]] * 2
    assert all(not row.digest or row.status is MailStatus.PENDING for row in rows(db))

    time_machine.move_to(fixed_clock + timedelta(days=1), tick=True)
    assert run(runner).exit_code == 0
    assert run(runner).exit_code == 0
    digests = [m for m in mailbox.received if m.recipients == ["sup@shop.example"]]
    assert len(digests) == 1
    assert digests[0].subject == "Warehouse alerts of 2026-12-09: 2 alerts"
    assert "LOW-1 Blue widget" in digests[0].body and "LOW-2 Red widget" in digests[0].body
    assert {row.status for row in rows(db)} == {MailStatus.SENT}


def test_digest_flag_sends_the_days_digest_at_once(db, runner, mailbox, reader, widget, move,
                                                   shop):
    reader("sup", email="sup@shop.example", alert_mail="digest")
    low(move, shop, widget)
    assert run(runner).exit_code == 0 and mailbox.received == []
    assert run(runner, "--digest").exit_code == 0
    [got] = mailbox.received
    assert got.subject.endswith(": 1 alert") and "LOW-1 Blue widget" in got.body
    assert run(runner, "--digest").exit_code == 0 and len(mailbox.received) == 1


def test_a_user_kept_to_some_warehouses_is_mailed_only_what_their_alert_list_shows(
        db, runner, mailbox, reader, widget, move, shop):
    """As on the alert list (alerts.of_caller): an alert of a bin reaches who is kept to its
    warehouse; a stock alert (every warehouse taken together) only readers of every one."""
    from warehouse_app.insight import alerts
    from warehouse_app.ledger.models import Movement
    reader("wh1", email="wh1@shop.example", kept=["WH1"])
    reader("wh2", email="wh2@shop.example", kept=["WH2"])
    reader("all", email="all@shop.example")
    reader("boss", role="admin", email="boss@shop.example", kept=["WH2"])  # an admin: all
    low(move, shop, widget)
    assert run(runner).exit_code == 0
    assert sorted(r for m in mailbox.received for r in m.recipients) == [
        "all@shop.example", "boss@shop.example"]
    pick = db.session.scalars(select(Movement).order_by(Movement.id.desc())).first()
    alerts.count_losses([pick])  # an alert of WH1's bin
    db.session.commit()
    assert run(runner).exit_code == 0
    assert sorted(r for m in mailbox.received[2:] for r in m.recipients) == [
        "all@shop.example", "boss@shop.example", "wh1@shop.example"]


def test_a_user_who_lost_the_role_or_address_before_the_run_gets_nothing(
        db, runner, mailbox, reader, widget, move, shop):
    demoted = reader("sup", email="sup@shop.example")
    cleared = reader("sup2", email="sup2@shop.example")
    low(move, shop, widget)
    from warehouse_app.auth.models import Role
    demoted.role = Role.STAFF
    cleared.email = None
    db.session.commit()
    done = run(runner)
    assert done.exit_code == 0 and "2 dropped" in done.output
    assert mailbox.received == []
    assert {row.status for row in rows(db)} == {MailStatus.DROPPED}


def test_a_row_another_run_holds_is_not_sent_again(db, app, runner, mailbox, reader, widget,
                                                   move, shop, time_machine, fixed_clock):
    reader("sup", email="sup@shop.example")
    low(move, shop, widget)
    mail.claim(mail.utcnow())  # another run took it and has not finished
    db.session.commit()
    assert run(runner).exit_code == 0 and mailbox.received == []
    # That run died: after MAIL_CLAIM_MINUTES the row is taken again.
    time_machine.move_to(fixed_clock + timedelta(minutes=31), tick=True)
    assert run(runner).exit_code == 0
    assert len(mailbox.received) == 1


def test_two_runs_at_once_send_each_mail_once(db, app, mailbox, reader, shop, move,
                                              make_product):
    reader("sup", email="sup@shop.example")
    reader("boss", role="admin", email="boss@shop.example")
    for n in range(6):
        product = make_product(f"P-{n}", reorder_point=10)
        move("receive", product, 15, to_location=shop["A"], unit_cost="1.00")
        low(move, shop, product)
    assert len(rows(db)) == 12
    db.session.commit()  # the test's own transaction ends: on SQLite it held the write lock
    outcomes, start = [], threading.Barrier(2)

    def one_run():
        with app.app_context():
            start.wait()
            outcomes.append(mail.send_due())
            db.session.remove()
    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(o.sent for o in outcomes) == 12 and all(o.failed == 0 for o in outcomes)
    assert len(mailbox.received) == 12
    subjects = sorted((m.recipients[0], m.subject) for m in mailbox.received)
    assert len(set(subjects)) == 12
    assert {row.status for row in rows(db)} == {MailStatus.SENT}


# -- setting the address: the command line and the account page ------------------------------

def test_users_create_takes_an_email_and_a_preference(db, runner):
    done = runner.invoke(args=["users", "create", "sam", "--role", "supervisor", "--password",
                               "password123", "--email", "sam@shop.example", "--alert-mail",
                               "digest"])
    assert done.exit_code == 0, done.output
    user = db.session.scalar(select(User).where(User.username == "sam"))
    assert (user.email, user.alert_mail) == ("sam@shop.example", MailPreference.DIGEST)


@pytest.mark.parametrize("args, says", [
    (["--email", "not-an-address"], "not an e-mail address"),
    (["--email", "sam@"], "not an e-mail address"),
    (["--email", "a" * 250 + "@x.example"], "at most 254"),
    (["--email", "sam@shop.example", "--alert-mail", "sometimes"], "sometimes"),
])
def test_users_create_refuses_a_bad_address_or_preference_and_creates_nobody(db, runner, args,
                                                                             says):
    done = runner.invoke(args=["users", "create", "sam", "--role", "supervisor", "--password",
                               "password123", *args])
    assert done.exit_code != 0 and says in done.output
    db.session.commit()
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_users_set_email_changes_and_clears_the_address(db, runner, reader):
    reader("sam", email="old@shop.example")
    done = runner.invoke(args=["users", "set-email", "sam", "new@shop.example",
                               "--alert-mail", "digest"])
    assert done.exit_code == 0 and "new@shop.example (digest)" in done.output
    db.session.commit()
    user = db.session.scalar(select(User).where(User.username == "sam"))
    assert (user.email, user.alert_mail) == ("new@shop.example", MailPreference.DIGEST)
    cleared = runner.invoke(args=["users", "set-email", "sam", ""])
    assert cleared.exit_code == 0 and "no address (digest)" in cleared.output
    db.session.expire_all()
    assert user.email is None


@pytest.mark.parametrize("args, says", [
    (["sam", "bad address"], "not an e-mail address"),
    (["sam", "ok@shop.example", "--alert-mail", "weekly"], "weekly"),
    (["nobody", "ok@shop.example"], "No user nobody"),
])
def test_users_set_email_refuses_wrong_input_and_changes_nothing(db, runner, reader, args,
                                                                 says):
    reader("sam", email="old@shop.example", alert_mail="digest")
    done = runner.invoke(args=["users", "set-email", *args])
    assert done.exit_code != 0 and says in done.output
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.username == "sam"))
    assert (user.email, user.alert_mail) == ("old@shop.example", MailPreference.DIGEST)


def test_the_account_page_sets_the_address_and_the_preference(db, client, login_as, no_csrf):
    user = login_as("supervisor", "sue")
    page = client.get("/account")
    assert page.status_code == 200 and 'name="email"' in page.text
    done = client.post("/account", data={"email": "sue@shop.example", "alert_mail": "digest"})
    assert done.status_code == 303
    db.session.expire_all()
    assert (user.email, user.alert_mail) == ("sue@shop.example", MailPreference.DIGEST)


@pytest.mark.parametrize("form, says", [
    ({"email": "sue at shop", "alert_mail": "immediate"}, "not an e-mail address"),
    ({"email": "sue@shop.example", "alert_mail": "hourly"}, "immediate, digest or none"),
    ({"email": "sue@shop.example"}, "immediate, digest or none"),
    ({"email": "x" * 300, "alert_mail": "none"}, "at most 254"),
])
def test_the_account_page_refuses_wrong_input_and_changes_nothing(db, client, login_as,
                                                                  no_csrf, form, says):
    user = login_as("supervisor", "sue")
    user.email = "kept@shop.example"
    db.session.commit()
    refused = client.post("/account", data=form)
    assert refused.status_code == 422 and says in refused.text
    db.session.expire_all()
    assert (user.email, user.alert_mail) == ("kept@shop.example", MailPreference.IMMEDIATE)


def test_the_account_page_needs_a_login_and_csrf(db, client, login_as):
    assert client.get("/account").status_code == 302
    login_as("supervisor", "sue")
    assert client.post("/account", data={"email": "a@shop.example",
                                         "alert_mail": "none"}).status_code == 400


# -- the unread count on every page ----------------------------------------------------------

def test_every_page_shows_a_supervisor_the_unread_alert_count(db, client, login_as, widget,
                                                              move, shop, no_csrf):
    low(move, shop, widget)
    login_as("supervisor", "sue")
    for path in ("/", "/account", "/insight/reorder"):
        page = client.get(path)
        assert page.status_code == 200 and 'data-unread-alerts="1"' in page.text, path
    assert client.post("/insight/alerts/ack-all", data={}).status_code == 303
    assert "data-unread-alerts" not in client.get("/account").text


def test_staff_see_no_alert_count(db, client, login_as, widget, move, shop):
    low(move, shop, widget)
    login_as("staff")
    assert "data-unread-alerts" not in client.get("/").text


def test_an_admin_adds_a_user_with_an_address_on_the_users_page(db, client, login_as, no_csrf):
    login_as("admin", "root")
    form = {"username": "sam", "password": "password123", "role": "supervisor"}
    refused = client.post("/users/", data={**form, "email": "sam@@shop"})
    assert refused.status_code == 422 and "not an e-mail address" in refused.text
    assert db.session.scalar(select(func.count(User.id))) == 1
    done = client.post("/users/", data={**form, "email": "sam@shop.example"})
    assert done.status_code == 303
    sam = db.session.scalar(select(User).where(User.username == "sam"))
    assert (sam.email, sam.alert_mail) == ("sam@shop.example", MailPreference.IMMEDIATE)
    assert "sam@shop.example (immediate)" in client.get("/users/").text
