"""Every route, its path and its query, filled with values no browser sends: Unicode digits, ids beyond 64
bits, years out of range, empty and oversized values. Nothing answers 500: a bad value is a 400 or a 404."""

import re

import pytest
from flask import url_for

from fundtrack.auth.models import User
from tests.conftest import login
from tests.pages import demo_installation

HOSTILE = ["²", "٣", "99999999999999999999", "-1", "0", "0001-01-01", "9999-12-31", "", "x" * 3000, "%00", "2026-Q9", "../.."]
# Every query parameter a view reads (found by `arg_*(...)` and `request.args` in the code), and the pagers'.
PARAMETERS = (
    "archived days dir document_kind due due_kind expected figure from funder funder_kind funder_name goal kind lang "
    "mine next organisation outcomes owner page period person q quarter round show sort source stage status steward "
    "table theme to un_goal window year lybunt_page sybunt_page funders_page organisations_page"
).split()


@pytest.fixture
def fundraiser(app, client):
    pages = demo_installation(app)
    login(client, User.get(User.email == "fundraiser@example.dk"), password="demo")
    return pages


def _get(client, address):
    response = client.get(address)
    response.close()
    return response.status_code


def test_no_query_value_answers_500(client, fundraiser):
    failures = []
    for address in fundraiser:
        base = address.split("?")[0]
        for value in HOSTILE:  # every parameter at once ...
            query = "&".join(f"{name}={value}" for name in PARAMETERS)
            if _get(client, f"{base}?{query}") >= 500:
                failures.append(f"{base} with every parameter = {value[:20]!r}")
        if re.search(r"/\d", base):
            continue  # a record's page: its query was tried above; each parameter alone on the lists
        for name in PARAMETERS:  # ... and each alone, so that an early refusal hides nothing
            for value in ("²", "99999999999999999999", "9999-12-31"):
                if _get(client, f"{base}?{name}={value}") >= 500:
                    failures.append(f"{base}?{name}={value}")
    assert not failures, "\n".join(failures[:40])


def test_no_path_value_answers_500(app, client, fundraiser):
    failures = []
    rules = [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and rule.arguments and rule.endpoint != "static"]
    for rule in rules:
        for value in HOSTILE:
            path = re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?[a-z_]+>", value.replace("%", "%25"), rule.rule)
            if _get(client, path) >= 500:
                failures.append(f"{rule.rule} with {value[:20]!r}")
    assert not failures, "\n".join(failures[:40])
    with app.test_request_context():
        assert url_for("dashboard.index") == "/"  # the map was read, not guessed
