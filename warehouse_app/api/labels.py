"""Labels through the API: the same PDF and ZPL files as /labels/<kind>.<fmt>, documented.

A till or a shipping station asks for labels without a person at the label page. The pages'
own file URLs keep working (../shared/API.md names them); these are the same answers under
/api/v1 with the shared guard, token scopes and JSON errors.
"""
from flask import Response, request
from marshmallow import INCLUDE, Schema, fields, validate

from warehouse_app.api.wiring import blueprint
from warehouse_app.labels import content, pdf, templates, zpl
from warehouse_app.labels.selection import KINDS, MAX_COPIES, NAMES, build

blp = blueprint("labels", "/labels", "Printable labels as PDF (sheets) or ZPL (Zebra printers).")
FILES = {"pdf": ("application/pdf", "inline"), "zpl": ("text/plain", "attachment")}


class LabelArgs(Schema):
    """What to print; each kind uses its own arguments (the others are ignored)."""

    class Meta:
        unknown = INCLUDE

    sku = fields.List(fields.String(), metadata={
        "description": "products: SKUs or barcodes (repeat, or several per value)"})
    category = fields.String(metadata={"description": "products: a category path, "
                                                      "e.g. 'Apparel > T-shirts'"})
    q = fields.String(metadata={"description": "products: a search"})
    price = fields.String(metadata={"description": "products: 1 prints the sale price"})
    location = fields.List(fields.String(), metadata={
        "description": "bins, signs: location codes (a zone or warehouse: every bin in it)"})
    arrow = fields.String(metadata={"description": "bins: none, up or down"})
    movement = fields.String(metadata={"description": "receipts: a receipt's movement id"})
    reference = fields.String(metadata={"description": "receipts: a receipt's reference"})
    po = fields.String(metadata={"description": "receipts: a purchase order's reference"})
    per = fields.String(metadata={"description": "receipts: unit or case"})
    case = fields.String(metadata={"description": "receipts: units per case"})
    template = fields.String(validate=validate.OneOf(sorted(templates.TEMPLATES)), metadata={
        "description": "sheet or label size (default: the kind's usual one)"})
    symbology = fields.String(validate=validate.OneOf(content.SYMBOLOGIES))
    copies = fields.Integer(validate=validate.Range(min=1, max=MAX_COPIES))
    skip = fields.Integer(validate=validate.Range(min=0, max=1000), metadata={
        "description": "cells of a sheet already used, left blank"})


@blp.route("/<any(" + ", ".join(KINDS) + "):kind>.<any(pdf, zpl):fmt>", methods=["GET"])
@blp.arguments(LabelArgs, location="query")
@blp.doc(responses={"200": {"description": "The labels", "content": {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    "text/plain": {"schema": {"type": "string"}}}}})
def labels(_args, kind: str, fmt: str):
    """Product, bin, sign or receipt labels as one PDF or ZPL file."""
    job = build(kind, request.args, fmt)
    body = (pdf.render(job.labels, job.template, job.skip, NAMES[kind]) if fmt == "pdf"
            else zpl.render(job.labels, job.template))
    mimetype, disposition = FILES[fmt]
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'{disposition}; filename="{kind}-{job.template.name}.{fmt}"'})
