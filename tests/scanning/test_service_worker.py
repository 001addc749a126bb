"""The service worker's cache is named after the static files: a deploy replaces old copies."""
import re

import pytest


@pytest.mark.fresh_app  # it changes the app's static folder
def test_the_worker_names_its_cache_after_the_static_files(client, app, tmp_path):
    first = client.get("/scan/sw.js")
    assert first.status_code == 200 and first.mimetype == "text/javascript"
    assert first.headers["Service-Worker-Allowed"] == "/"
    name = re.search(r'const CACHE = "warehouse-shell-([0-9a-f]{12})";', first.get_data(True))
    assert name, first.get_data(True)[:200]
    assert client.get("/scan/sw.js").get_data() == first.get_data()  # stable between loads
    app.static_folder = str(tmp_path)  # a deploy with other static files
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "sw.js").write_text('const CACHE = "warehouse-shell-v1";\n')
    (tmp_path / "js" / "app.js").write_text("// changed\n")
    again = client.get("/scan/sw.js").get_data(True)
    assert re.search(r'"warehouse-shell-([0-9a-f]{12})"', again).group(1) != name.group(1)
    (tmp_path / "js" / "app.js").write_text("// edited in place, no restart\n")
    edited = client.get("/scan/sw.js").get_data(True)
    assert re.search(r'"warehouse-shell-([0-9a-f]{12})"', edited).group(1) not in (
        name.group(1), re.search(r'"warehouse-shell-([0-9a-f]{12})"', again).group(1))
