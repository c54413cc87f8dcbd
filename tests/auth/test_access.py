"""Access is decided in one place: every view declares its roles, every id in a URL is checked."""
import pytest
from flask import Flask

from fundtrack.auth import access
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


def _ids(query, visible: bool, member):
    """Ids of the records `member` may see (visible=True) or may not see (visible=False)."""
    model = query.model
    visible_ids = {row.id for row in query}
    everything = {row.id for row in model.select(model.id)}
    return sorted(visible_ids if visible else everything - visible_ids)


def test_member_guessing_another_organisations_ids_gets_404_everywhere(app, client, demo_world):
    """For every URL with a record id: another organisation's id answers 404, for every method."""
    member = demo_world
    login(client, member, password="demo")
    token = csrf_token(client, "/")
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        scoped = [a for a in rule.arguments if a not in getattr(view, "access_unscoped", ())]
        if not scoped or view.access_roles is access.PUBLIC:
            continue
        member_may_use = "member" in view.access_roles or "member" in view.access_readers
        for variable in scoped:
            hidden = _ids(access.visible(variable, member), False, member)
            if not hidden:
                continue  # everyone may see all of these (e.g. funders)
            values = {}
            for other in scoped:
                if other == variable:
                    values[other] = hidden[0]
                else:
                    own = _ids(access.visible(other, member), True, member)
                    values[other] = own[0] if own else 1
            url = rule.rule
            for name, value in values.items():
                url = url.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if method == "GET":
                    response = client.get(url)
                else:
                    response = client.open(url, method=method, data={"csrf_token": token})
                expected = {404} if member_may_use else {403, 404}
                assert response.status_code in expected, f"{method} {url} ({rule.endpoint}) -> {response.status_code}"
                checked += 1
    assert checked >= 5


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
    response = client.post(f"/organisations/{organisation.id}/contacts",
                           data={"name": "X", "csrf_token": csrf_token(client, "/")})
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
