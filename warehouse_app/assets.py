"""Static files a phone keeps: every link to one carries its content's digest.

A page's CSS and JavaScript used to be asked for again on every page a phone opened (each
answered "304 Not Modified", one round trip each: on a weak warehouse Wi-Fi or a slow 3G
profile the better part of a second per page). Now `url_for('static', ...)` adds `v=<digest of
the file>`, and a request naming the file's current digest is answered as cacheable for a year:
the phone asks again only when the file changed, because then the link changed. A request
without it, or with a digest of another version (a page opened before a deploy), is answered as
before: the file, to be revalidated next time.

The modules a script imports (`import ... from "./docscan.js"`) are resolved by the browser,
not by url_for: the page's import map (`import_map()`, in base.html) sends those to the
versioned addresses too. It is the one inline script a page has; the page's Content Security
Policy allows it by its SHA-256 and nothing else inline. A browser without import maps asks for
the plain addresses, answered as before.
"""
import base64
import hashlib
import json
import re
from pathlib import Path

from flask import Flask, current_app, g, request, url_for
from markupsafe import Markup

YEAR = 365 * 24 * 3600
_EXTENSION = "asset_versions"
_IMPORTED = "imported_modules"


def version_of(filename: str) -> str | None:
    """The digest of a static file's content (12 hex digits), or None when there is none.

    Remembered per file with its modification time and size, so an edited file gets a new one
    at once (`flask run` while developing) and a served file is read only once."""
    folder = Path(current_app.static_folder).resolve()
    try:
        path = (folder / filename).resolve()
        stat = path.stat() if path.is_relative_to(folder) else None
    except (OSError, ValueError):  # ValueError: a NUL in the name
        return None
    if stat is None:
        return None
    known = current_app.extensions.setdefault(_EXTENSION, {})
    key = (stat.st_mtime_ns, stat.st_size)
    seen = known.get(path)
    if seen is None or seen[0] != key:
        if not path.is_file():
            return None
        seen = known[path] = (key, hashlib.sha256(path.read_bytes()).hexdigest()[:12])
    return seen[1]


def shell_version() -> str:
    """One digest for all the CSS and JavaScript (the service worker names its cache after it):
    any file changed, added or removed changes it."""
    folder = Path(current_app.static_folder)
    names = sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*")
                   if path.suffix in (".js", ".css") and path.is_file())
    digest = hashlib.sha256()
    for name in names:
        digest.update(f"{name} {version_of(name)}\n".encode())
    return digest.hexdigest()[:12]


def _add_version(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "v" not in values and values.get("filename"):
        version = version_of(values["filename"])
        if version:
            values["v"] = version


def _cache_control(response):
    """A static file asked for by its current digest may be kept; anything else, revalidated."""
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    if request.args.get("v") and request.args.get("v") == version_of(filename):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    return response


_IMPORT = re.compile(r"""(?:\bfrom|\bimport)\s*\(?\s*["']\./([\w.-]+\.js)["']""")


def _imported() -> list[str]:
    """The modules other modules import (the ones url_for never links), by file name."""
    folder = Path(current_app.static_folder, "js")
    files = sorted(folder.glob("*.js"))
    key = tuple((path.name, path.stat().st_mtime_ns) for path in files)
    known = current_app.extensions.get(_IMPORTED)
    if known is None or known[0] != key:
        names = {name for path in files for name in _IMPORT.findall(path.read_text())}
        known = current_app.extensions[_IMPORTED] = (key, sorted(names))
    return known[1]


def import_map() -> Markup:
    """The page's import map: each imported module's plain address to its versioned one."""
    imports = {f"/static/js/{name}": url_for("static", filename=f"js/{name}")
               for name in _imported()}
    text = json.dumps({"imports": imports}, separators=(",", ":")).replace("<", "\\u003c")
    # The page allows no inline script (web/views.py's CSP) but this one, by its digest.
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    g.setdefault("inline_scripts", set()).add(f"'sha256-{digest}'")
    return Markup(f'<script type="importmap">{text}</script>')


def init_app(app: Flask) -> None:
    app.url_defaults(_add_version)
    app.after_request(_cache_control)
    app.jinja_env.globals["import_map"] = import_map
