"""Scanning for other systems and handhelds: resolve a code, decode a picture."""
from flask import request
from marshmallow import Schema, fields, validate

from warehouse_app.api.wiring import blueprint
from warehouse_app.scanning import decoder
from warehouse_app.scanning.resolver import MAX_CODE, resolve

blp = blueprint("scan", "/scan", "Scanned codes: what they name, and codes read from images.")


class ResolveRequest(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=MAX_CODE))


class ResolveAnswer(Schema):
    type = fields.String(metadata={"description": "product, location, or a document type"})
    code = fields.String()
    sku = fields.String()
    name = fields.String()
    pack_size = fields.Integer()
    tracking = fields.String()
    active = fields.Boolean()
    location = fields.String()
    kind = fields.String()
    physical = fields.Boolean()
    gtin = fields.String(allow_none=True)
    lot = fields.String(allow_none=True)
    expiry = fields.String(allow_none=True)
    serial = fields.String(allow_none=True)


class DecodedCode(Schema):
    format = fields.String()
    value = fields.String()


class DecodeAnswer(Schema):
    codes = fields.List(fields.Nested(DecodedCode))


@blp.route("/resolve", methods=["POST"])
@blp.arguments(ResolveRequest)
@blp.response(200, ResolveAnswer)
def resolve_code(args):
    """What a scanned code names: a product (GS1 lot, expiry, serial), a location, a document."""
    return resolve(args["code"]).as_dict()


@blp.route("/decode", methods=["POST"])
@blp.response(200, DecodeAnswer)
@blp.doc(requestBody={"content": {"multipart/form-data": {"schema": {
    "type": "object", "properties": {"image": {"type": "string", "format": "binary"}},
    "required": ["image"]}}}})
def decode_image():
    """The barcodes in an uploaded photo or camera frame (multipart field `image`)."""
    upload = request.files.get("image")
    data = upload.read(decoder.MAX_BYTES + 1) if upload else b""
    return {"codes": [code.as_dict() for code in decoder.decode(data)]}
