"""Helpers for the API tests: row counts (the role headers are in tests/conftest.py)."""
import pytest
from sqlalchemy import func, select


@pytest.fixture
def rows(db):
    """How many rows a model has now (to prove a refused request wrote nothing)."""
    def count(model) -> int:
        db.session.commit()  # end the test's transaction: see what requests wrote
        return db.session.scalar(select(func.count()).select_from(model))
    return count

