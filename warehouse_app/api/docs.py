"""A readable page of the API's operations, built from the OpenAPI document (no CDN, no JS)."""
from flask import Blueprint, current_app, render_template_string, url_for

bp = Blueprint("api_reference", __name__, url_prefix="/api/v1")
METHODS = ("get", "post", "put", "patch", "delete")

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ spec.info.title }} {{ spec.info.version }}</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 1rem auto; padding: 0 1rem; }
code { font-family: ui-monospace, monospace; }
.op { border-top: 1px solid #ccc; padding: .5rem 0; }
.method { display: inline-block; min-width: 4.5rem; font-weight: bold; text-transform: uppercase; }
table { border-collapse: collapse; margin: .25rem 0; }
td { vertical-align: top; padding: 0 .75rem 0 0; } .muted { color: #666; }
</style></head><body>
<h1>{{ spec.info.title }} <small>{{ spec.info.version }}</small></h1>
<p>{{ spec.info.description }}</p>
<p>The full reference: <a href="{{ json_url }}">{{ json_url }}</a> (OpenAPI {{ spec.openapi }}).</p>
{% for tag in spec.tags %}
<h2 id="{{ tag.name }}">{{ tag.description }}</h2>
{% for op in ops if tag.name in op.tags %}
<div class="op"><span class="method">{{ op.method }}</span> <code>{{ op.path }}</code>
<div>{{ op.summary }}</div>
{% if op.fields %}<table>{% for f in op.fields %}
<tr><td><code>{{ f.name }}</code></td>
<td class="muted">{{ f.where }}{{ ", required" if f.required }}</td>
<td>{{ f.type }}</td><td>{{ f.description }}</td></tr>
{% endfor %}</table>{% endif %}
<div class="muted">Answers: {{ op.responses | join(", ") }}</div></div>
{% endfor %}{% endfor %}
</body></html>"""


def _describe(prop: dict) -> str:
    """A short type for a schema property: string, integer 1..1000000000, one of a/b/c."""
    if "enum" in prop:
        return "one of " + ", ".join(str(v) for v in prop["enum"] if v is not None)
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    kind = prop.get("type", "string or object" if "oneOf" in prop else "any")
    if "minimum" in prop or "maximum" in prop:
        kind += f" {prop.get('minimum', '')}..{prop.get('maximum', '')}"
    if "maxLength" in prop:
        kind += f", at most {prop['maxLength']} characters"
    return kind


def _body_fields(op: dict, schemas: dict) -> list[dict]:
    ref = (op.get("requestBody", {}).get("content", {}).get("application/json", {})
           .get("schema", {}).get("$ref", ""))
    schema = schemas.get(ref.rsplit("/", 1)[-1], {})
    required = set(schema.get("required", []))
    return [{"name": name, "where": "body", "required": name in required,
             "type": _describe(prop), "description": prop.get("description", "")}
            for name, prop in schema.get("properties", {}).items()]


def operations(spec: dict) -> list[dict]:
    """Each operation of the spec with its parameters and body fields, in spec order."""
    schemas = spec.get("components", {}).get("schemas", {})
    ops = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if op := item.get(method):
                params = [{"name": p["name"], "where": p["in"], "required": p.get("required"),
                           "type": _describe(p.get("schema", {})),
                           "description": p.get("description", "")}
                          for p in item.get("parameters", []) + op.get("parameters", [])]
                ops.append({"method": method, "path": path, "summary": op.get("summary", ""),
                            "tags": op.get("tags", []),
                            "fields": params + _body_fields(op, schemas),
                            "responses": sorted(op.get("responses", {}))})
    return ops


@bp.get("/docs")
def reference():
    """The API's operations and their fields, from the generated OpenAPI document."""
    spec = current_app.extensions["warehouse_api"].spec.to_dict()
    return render_template_string(PAGE, spec=spec, ops=operations(spec),
                                  json_url=url_for("api-docs.openapi_json"))
