"""Access is decided in one place: every view declares its roles, every id in a URL is checked."""

import pytest
from flask import Flask

from fundtrack import access
from fundtrack.auth.models import User
from fundtrack.db import db
from tests.conftest import NOW, csrf_token, login


def test_every_view_declares_its_access(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "access_roles", None) is not None, rule.endpoint


def test_app_refuses_to_start_with_an_undeclared_view():
    app = Flask("check")

    @app.route("/forgotten")
    def forgotten():
        return "oops"

    with pytest.raises(RuntimeError, match="forgotten"):
        access.verify_declarations(app)


def test_app_refuses_to_start_with_an_unchecked_id():
    app = Flask("check")

    @app.route("/things/<int:thing_id>")
    @access.allow("fundraiser")
    def thing(thing_id):
        return "oops"

    with pytest.raises(RuntimeError, match="thing_id"):
        access.verify_declarations(app)


@pytest.fixture
def demo_world(app):
    """The demo data: several organisations with applications, contacts, deadlines and users."""
    from fundtrack import demo

    with db.connection_context():
        demo.load(today=NOW.date(), now=NOW)
    return User.get(User.email == "member@example.dk")


# Values for URL variables that are not record ids.
UNSCOPED_SAMPLES = {"fmt": "csv", "period": "2026-Q3", "entity": "applications"}
LAST = ("delete", "revoke", "remove", "archive", "active")  # endpoints that take a record away: tried last


def _scoped_routes(app):
    """(rule, view, blueprint, scoped variables) of every route with a record id, reading pages first."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        scoped = [a for a in rule.arguments if a not in view.access_unscoped]
        if scoped and view.access_roles is not access.PUBLIC:
            routes.append((rule, view, rule.endpoint.rpartition(".")[0], scoped))
    return sorted(routes, key=lambda r: (any(word in r[0].endpoint for word in LAST), r[0].endpoint))


def _url(rule, values):
    url = rule.rule
    for name, value in {**UNSCOPED_SAMPLES, **values}.items():
        url = url.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
    for converter in ("<any(csv, xlsx, json):fmt>", "<any(xlsx, csv, json):fmt>"):
        url = url.replace(converter, "csv")
    return url


def _request(client, url, method, token):
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": token})


def _ids(query, visible: bool):
    """Ids of the records the query's user may see (visible=True) or may not see (visible=False)."""
    model = query.model
    visible_ids = {row.id for row in query}
    everything = {row.id for row in model.select(model.id)}
    return sorted(visible_ids if visible else everything - visible_ids)


def test_a_scope_registered_twice_stops_start_up():
    from flask import Blueprint

    probe = Blueprint("probe", __name__)
    access.scope(probe, "thing_id")(lambda user: User.select())
    with pytest.raises(access.ScopeError, match="thing_id"):
        access.scope(probe, "thing_id")(lambda user: User.select())


def test_the_same_variable_may_have_a_scope_in_each_blueprint(app):
    assert access.scope_of("organisations", "organisation_id") is not access.scope_of("contacts", "organisation_id")
    assert access.scope_of("funders", "round_id").within == ("funder_id", "funder")


def test_member_guessing_another_organisations_ids_gets_404_everywhere(app, client, demo_world):
    """For every URL with a record id: another organisation's id answers 404, for every method."""
    member = demo_world
    login(client, member, password="demo")
    token = csrf_token(client, "/")
    checked = 0
    for rule, view, blueprint, scoped in _scoped_routes(app):
        member_may_use = "member" in view.access_roles or "member" in view.access_readers
        for variable in scoped:
            hidden = _ids(access.visible(blueprint, variable, member), False)
            if not hidden:
                continue  # everyone may see all of these (e.g. funders)
            values = {}
            for other in scoped:
                if other == variable:
                    values[other] = hidden[0]
                else:
                    own = _ids(access.visible(blueprint, other, member), True)
                    values[other] = own[0] if own else 1
            url = _url(rule, values)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = _request(client, url, method, token)
                expected = {404} if member_may_use else {403, 404}
                assert response.status_code in expected, f"{method} {url} ({rule.endpoint}) -> {response.status_code}"
                checked += 1
    assert checked >= 20


@pytest.fixture
def every_kind_of_record(demo_world):
    """The demo, plus the few kinds of record it has none of: a calendar, a feed source, a pending import."""
    from fundtrack.calendars.services import issue
    from fundtrack.feeds.models import FeedSource
    from fundtrack.imports.models import PendingImport
    from fundtrack.organisations.models import Organisation

    fundraiser = User.get(User.email == "fundraiser@example.dk")
    with db.connection_context():
        issue(organisation=Organisation.get(Organisation.name == "Café Kornet"), now=NOW, actor=fundraiser)
        FeedSource.create(name="Lokal", url="http://127.0.0.1:9/feed.xml", created_at=NOW)
        PendingImport.create(user=fundraiser, entity="applications", filename="x.csv", content=b"Titel\nx\n", created_at=NOW)
    return fundraiser


def _samples(query) -> list:
    """The first, a middle and the last record a scope lets through (fresh: a record may have been removed)."""
    ids = [row.id for row in query.select(query.model.id).order_by(query.model.id)]
    return sorted({ids[0], ids[len(ids) // 2], ids[-1]}) if ids else []


def test_fundraiser_reaches_every_existing_record_everywhere(app, client, every_kind_of_record):
    """For every URL with a record id: the fundraiser is never told that an existing record is not there."""
    from fundtrack.imports.models import PendingImport

    fundraiser = every_kind_of_record
    login(client, fundraiser, password="demo")
    token = csrf_token(client, "/")
    checked = 0
    for rule, _view, blueprint, scoped in _scoped_routes(app):
        children = [v for v in scoped if access.scope_of(blueprint, v).within is not None]
        lead = children[0] if children else scoped[-1]
        found = access.scope_of(blueprint, lead)
        for record_id in _samples(found.visible(fundraiser)):
            values = {lead: record_id}
            if found.within is not None:
                parent, field = found.within
                model = found.visible(fundraiser).model
                values[parent] = getattr(model.get_by_id(record_id), f"{field}_id")
            for other in scoped:
                if other not in values:
                    own = _samples(access.visible(blueprint, other, fundraiser))
                    values[other] = own[-1] if own else 1
            if "pending_id" in values:
                values["entity"] = PendingImport.get_by_id(values["pending_id"]).entity
            url = _url(rule, values)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = _request(client, url, method, token)
                assert response.status_code not in (404, 500), f"{method} {url} ({rule.endpoint}) -> {response.status_code}"
                checked += 1
    assert checked >= 100


def test_member_sees_only_own_organisation_in_lists(client, demo_world):
    login(client, demo_world, password="demo")
    body = client.get("/applications/?page=1").get_data(as_text=True)
    assert "Køkkenskolen" in body
    assert "Jord under neglene" not in body
    body = client.get("/organisations/").get_data(as_text=True)
    assert "Café Kornet" in body
    assert "Naturhaven for Veteraner" not in body
    body = client.get("/deadlines/").get_data(as_text=True)
    assert "Jord under neglene" not in body


def test_viewer_reads_but_cannot_write(client, login_as, create_organisation):
    organisation = create_organisation("Genbrugslab")
    login_as("viewer")
    assert client.get(f"/organisations/{organisation.id}").status_code == 200
    response = client.post(
        f"/organisations/{organisation.id}/contacts", data={"name": "X", "csrf_token": csrf_token(client, "/")}
    )
    assert response.status_code == 403
    assert client.get("/organisations/new").status_code == 403


def test_member_cannot_reach_fundraiser_pages(client, login_as, create_organisation):
    login_as("member", organisation=create_organisation())
    assert client.get("/users/").status_code == 403
    assert client.get("/organisations/new").status_code == 403


def test_unknown_id_is_404_for_fundraiser(client, login_as):
    login_as("fundraiser")
    assert client.get("/applications/987654").status_code == 404
    assert client.get("/organisations/987654").status_code == 404
