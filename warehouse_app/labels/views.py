"""Label pages and files: the phone form, print pages, PDF and ZPL for each kind of label."""
from functools import wraps
from urllib.parse import urlencode

from flask import Response, abort, flash, jsonify, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from warehouse_app.catalog.models import Category
from warehouse_app.errors import DomainError, error_json
from warehouse_app.extensions import db
from warehouse_app.labels import bp, html, pdf, selection, templates, text, zpl
from warehouse_app.labels.selection import KINDS, NAMES

FORMATS = ("html", "pdf", "zpl")
MAX_HTML_LABELS = 1000  # a print page beyond this is slow in a phone's browser: use the PDF


def signed_in(view):
    """Pages send anonymous callers to the login page; files answer them 401 in JSON."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated and kwargs.get("fmt") in ("pdf", "zpl"):
            return error_json(401, "unauthorized", "Log in or send a valid API token.")
        return login_required(view)(*args, **kwargs)
    return wrapped


@bp.get("/")
@login_required
def index():
    """The phone form: what to print, on which template, how many."""
    return _form(request.args)


def _form(args, status: int = 200):
    categories = sorted(c.path for c in db.session.scalars(select(Category)))
    return render_template("labels/index.html", args=args, templates=templates.TEMPLATES,
                           categories=categories, font_note=text.FONT_NOTE,
                           open_kind=args.get("kind") or "products"), status


@signed_in
def labels(kind: str, fmt: str):
    """/labels/<kind>.<fmt>: a print page, a PDF or ZPL of the chosen labels."""
    try:
        job = selection.build(kind, request.args, fmt)
        if fmt == "html" and len(job.labels) > MAX_HTML_LABELS:
            raise DomainError(f"{len(job.labels):,} labels is too many for a print page; "
                              "download the PDF instead.", field="copies", code="too_many")
        body = _render(job, fmt)
    except DomainError as err:
        db.session.rollback()
        if fmt != "html":
            return jsonify(err.to_dict()), err.status
        flash(err.message, "error")
        args = request.args.copy()
        args["kind"] = kind
        return _form(args, err.status)
    if fmt == "html":
        return body
    name = f"{kind}-{job.template.name}.{fmt}"
    if fmt == "pdf":
        return Response(body, mimetype="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{name}"'})
    return Response(body, mimetype="text/plain",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _render(job: selection.Job, fmt: str):
    if fmt == "pdf":
        return pdf.render(job.labels, job.template, job.skip, NAMES[job.kind])
    if fmt == "zpl":
        return zpl.render(job.labels, job.template)
    query = urlencode(list(request.args.items(multi=True)))
    return render_template(
        "labels/print.html", job=job, title=NAMES[job.kind],
        pages=html.pages(job.labels, job.template, job.skip),
        pdf_url=url_for(f"labels.{job.kind}_pdf") + "?" + query,
        zpl_url=(url_for(f"labels.{job.kind}_zpl") + "?" + query) if job.template.thermal
        else None, back_url=url_for("labels.index") + "?" + query + f"&kind={job.kind}")


for _kind in KINDS:
    for _fmt in FORMATS:
        bp.add_url_rule(f"/{_kind}.{_fmt}", f"{_kind}_{_fmt}", labels,
                        defaults={"kind": _kind, "fmt": _fmt})


@bp.get("/print.css")
@login_required
def print_css():
    """The page size of a template for the browser's print dialog (no inline styles: CSP)."""
    tpl = templates.TEMPLATES.get(request.args.get("template", ""))
    if tpl is None:
        abort(404)
    urls = {face: url_for("labels.font", face=face) for face in text.FACES
            if text.font_file(face)}
    response = Response(html.page_css(tpl, urls), mimetype="text/css")
    response.cache_control.max_age = 3600
    return response


@bp.get("/fonts/<face>.ttf")
@login_required
def font(face: str):
    """The label font, so the print page matches the PDF on any computer."""
    path = text.font_file(face) if face in text.FACES else None
    if path is None:
        abort(404)
    return send_file(path, mimetype="font/ttf", max_age=86400)

