"""Helpers for the API tests: role headers and row counts."""
import pytest
from sqlalchemy import func, select


@pytest.fixture
def admin(api_token):
    return api_token("admin")


@pytest.fixture
def supervisor(api_token):
    return api_token("supervisor")


@pytest.fixture
def staff(api_token):
    return api_token("staff")


@pytest.fixture
def rows(db):
    """How many rows a model has now (to prove a refused request wrote nothing)."""
    def count(model) -> int:
        db.session.commit()  # end the test's transaction: see what requests wrote
        return db.session.scalar(select(func.count()).select_from(model))
    return count

