"""Movements: post one (idempotently), reverse one, read the ledger."""
from datetime import UTC, date, datetime, time

from flask_login import current_user
from marshmallow import fields, validate
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from warehouse_app.api.paging import PageArgs, page_schema, paginate
from warehouse_app.api.schemas import MovementSchema, ReverseSchema
from warehouse_app.api.wiring import blueprint
from warehouse_app.auth import warehouses
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.catalog import products
from warehouse_app.counting import blind
from warehouse_app.errors import NotFound
from warehouse_app.extensions import db
from warehouse_app.ledger import balances, inputs
from warehouse_app.ledger import movements as ledger
from warehouse_app.ledger.models import Movement, MovementKind
from warehouse_app.locations import places

blp = blueprint("movements", "/movements", "The ledger: every change of stock is a movement.")
MovementPageSchema = page_schema(MovementSchema, "MovementPage")
MAX_ID = 2**31 - 1  # the id column's range: a bigger number names no movement


class Moment(fields.DateTime):
    """An ISO 8601 date-time, or a date meaning its midnight (UTC when no zone is given)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and len(value) == 10:
            try:
                return datetime.combine(date.fromisoformat(value), time(), UTC)
            except ValueError:
                raise self.make_error("invalid", input=value, obj_type="datetime") from None
        moment = super()._deserialize(value, attr, data, **kwargs)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class MovementQuery(PageArgs):
    sku = fields.String(validate=validate.Length(max=64))
    location = fields.String(validate=validate.Length(max=40),
                             metadata={"description": "From or to it, or anything under it"})
    kind = fields.String(validate=validate.OneOf([k.value for k in MovementKind]))
    since = Moment(metadata={"description": "Created at or after (inclusive)"})
    until = Moment(metadata={"description": "Created before (exclusive)"})


@blp.route("", methods=["POST"])
@blp.arguments(inputs.MOVEMENT_IN)  # an instance: a class would be instantiated per scan
@blp.response(201, MovementSchema)
@blp.alt_response(200, schema=MovementSchema,
                  description="This client_op_id was posted before: the first movement")
def post_movement(data):
    """Post a receive, pick, transfer, return or adjust (adjust: supervisor or above). A pick
    from a warehouse or zone takes from its sellable bins: earliest expiry first, then the pick
    face, then the fullest bin; split across bins, it answers every movement in `movements`
    (409 insufficient_stock with `available` when the place cannot sell that many)."""
    movement = inputs.post_movement(data, current_user._get_current_object())
    replayed = getattr(movement, "replayed", False)
    # The answer is what was just written: keep it loaded rather than read it all back (six
    # queries; on SQLite after the write lock was let go, in a transaction of their own).
    db.session().expire_on_commit = False
    db.session.commit()
    return movement, 200 if replayed else 201


@blp.route("/<int:movement_id>/reverse", methods=["POST"])
@role_required(Role.SUPERVISOR)
@blp.arguments(ReverseSchema, required=False)
@blp.response(201, MovementSchema)
@blp.alt_response(200, schema=MovementSchema,
                  description="Already reversed under this client_op_id: that reversal")
def reverse_movement(data, movement_id):
    """Post the mirror image of a movement (supervisor or above)."""
    original = _movement(movement_id)
    earlier = db.session.scalar(select(Movement.id)
                                .where(Movement.reversal_of_id == original.id))
    back = ledger.reverse(original, user=current_user._get_current_object(),
                          note=data.get("note", ""), client_op_id=data.get("client_op_id"))
    replayed = getattr(back, "replayed", False) or back.id == earlier
    db.session.commit()
    return back, 200 if replayed else 201


@blp.route("/<int:movement_id>", methods=["GET"])
@blp.response(200, MovementSchema)
def get_movement(movement_id):
    """One movement of the ledger."""
    return _movement(movement_id)


@blp.route("", methods=["GET"])
@blp.arguments(MovementQuery, location="query")
@blp.response(200, MovementPageSchema)
def list_movements(args):
    """The ledger, newest first, filtered by product, location, kind and time."""
    query = (select(Movement).order_by(Movement.created_at.desc(), Movement.id.desc())
             .options(selectinload(Movement.product), selectinload(Movement.from_location),
                      selectinload(Movement.to_location), selectinload(Movement.lot),
                      selectinload(Movement.user)))
    if args.get("sku"):
        query = query.where(Movement.product_id == products.by_sku(args["sku"]).id)
    if args.get("location"):
        ids = balances.descendants(places.by_code(args["location"]))
        query = query.where(or_(Movement.from_location_id.in_(ids),
                                Movement.to_location_id.in_(ids)))
    if "kind" in args:
        query = query.where(Movement.kind == MovementKind(args["kind"]))
    if "since" in args:
        query = query.where(Movement.created_at >= args["since"])
    if "until" in args:
        query = query.where(Movement.created_at < args["until"])
    if warehouses.caller() is not None:  # what moved into or out of the caller's warehouses
        query = query.where(or_(warehouses.location_clause(Movement.from_location_id),
                                warehouses.location_clause(Movement.to_location_id)))
    if hidden := blind.hidden_bins():  # they add up to the books of a bin counted blind
        query = query.where(Movement.from_location_id.not_in(hidden),
                            Movement.to_location_id.not_in(hidden))
    return paginate(query, args["page"], args["per_page"])


def _movement(movement_id: int) -> Movement:
    movement = db.session.get(Movement, movement_id) if movement_id <= MAX_ID else None
    if movement is None or not (warehouses.allows(movement.from_location.warehouse_id)
                                or warehouses.allows(movement.to_location.warehouse_id)):
        raise NotFound(f"No movement {movement_id}.", field="movement")
    return movement
