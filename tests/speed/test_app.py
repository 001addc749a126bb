"""The app's Flask class: ensure_sync() remembered, as Flask's own would answer."""
from flask import Flask


def test_ensure_sync_answers_as_flasks_own_and_asks_once(app, monkeypatch):
    asked = []
    original = Flask.ensure_sync
    monkeypatch.setattr(Flask, "ensure_sync", lambda self, func: asked.append(func)
                        or original(self, func))

    def view():
        return "ok"

    assert app.ensure_sync(view) is view
    assert app.ensure_sync(view) is view
    assert asked == [view]  # the second time from memory


def test_a_coroutine_function_is_handled_as_flask_handles_it(app):
    async def view():
        return "ok"

    try:
        expected = Flask.ensure_sync(app, view)
    except RuntimeError as err:  # Flask without its async extra
        expected = err
    try:
        got = app.ensure_sync(view)
    except RuntimeError as err:
        got = err
    assert type(got) is type(expected) and got is not view


def test_callbacks_made_per_request_are_not_kept_without_end(app):
    for n in range(app.SYNCED_MAX + 200):
        def callback(response, n=n):
            return response
        assert app.ensure_sync(callback) is callback
    assert len(app._synced) <= app.SYNCED_MAX

