"""The README's role table is true: each route it names as an example refuses the role below
(403) and lets the role named in it through."""
import re
from pathlib import Path

import pytest

ROLES = ["staff", "supervisor", "admin"]
README = Path(__file__).resolve().parent.parent / "README.md"


def examples() -> list[tuple[str, str, str]]:
    """(role, method, path) for every route the role table gives as an example."""
    found = []
    for line in README.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] in ROLES:
            for method, path in re.findall(r"`(GET|POST) (/[^`]*)`", cells[2]):
                found.append((cells[0], method, path))
    return found


def test_the_table_names_routes_for_every_role():
    assert {role for role, _, _ in examples()} == set(ROLES)


@pytest.mark.parametrize("role,method,path", examples())
def test_each_example_needs_exactly_its_role(client, api_token, login_as, no_csrf, role,
                                             method, path):
    rank = ROLES.index(role)
    for other in ROLES:
        if path.startswith("/api/"):
            headers = api_token(other)
        else:
            login_as(other)
            headers = {}
        response = client.open(path, method=method, headers=headers, json={})
        if ROLES.index(other) < rank:
            assert response.status_code == 403, (other, method, path, response.status_code)
        else:
            assert response.status_code != 403, (other, method, path, response.status_code)
