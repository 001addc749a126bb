"""Page arguments and page answers: {"items": [...], "page", "per_page", "total"}."""
from marshmallow import Schema, fields, validate
from sqlalchemy import Select, func, select

from warehouse_app.extensions import db

MAX_PER_PAGE = 200


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """A schema for one page of items, named for the spec (e.g. ProductPage)."""
    return Schema.from_dict({"items": fields.List(fields.Nested(item)), "page": fields.Integer(),
                             "per_page": fields.Integer(), "total": fields.Integer()},
                            name=name)


def paginate(query: Select, page: int, per_page: int) -> dict:
    """One page of a query's rows, with the total count of all of them."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": items, "page": page, "per_page": per_page, "total": total}
