"""Gzip for text answers (pages, CSS, JS, JSON) when the browser accepts it: a phone on slow
Wi-Fi opens a scan screen in a third of the bytes. Streams (live views, CSV downloads) and
answers already encoded are left alone."""
import gzip

from flask import Flask, request

TYPES = {"text/html", "text/css", "text/javascript", "application/javascript",
         "application/json", "image/svg+xml", "text/plain"}
MIN_BYTES = 1024


def _compress(response):
    if (response.status_code != 200 or response.mimetype not in TYPES
            or "Content-Encoding" in response.headers
            or "gzip" not in request.headers.get("Accept-Encoding", "")):
        return response
    if response.direct_passthrough:  # a static file: read it here, it is small
        response.direct_passthrough = False
    elif response.is_streamed:
        return response
    data = response.get_data()
    if len(data) < MIN_BYTES:
        return response
    response.set_data(gzip.compress(data, 6))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(f"{etag}-gzip", weak=weak)
    return response


def init_app(app: Flask) -> None:
    """Compress every text answer the browser accepts gzip for."""
    app.after_request(_compress)
