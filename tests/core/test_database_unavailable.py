"""When the database does not answer: /healthz says so in JSON, a page says so, and a form that could not be
saved comes back whole, to be sent again. The app goes on when the database is back."""

import peewee

from tests.conftest import post


def test_healthz_answers_503_json_while_the_database_does_not_answer(make_app):
    app = make_app(database={"url": "postgresql://nobody@127.0.0.1:1/gone"})
    client = app.test_client()
    answer = client.get("/healthz")
    assert answer.status_code == 503 and answer.get_json() == {"status": "error", "database": "unreachable"}
    page = client.get("/login")
    assert page.status_code == 503 and "Data kan ikke nås lige nu" in page.get_data(as_text=True)


def test_a_form_that_could_not_be_saved_comes_back_whole(client, login_as, monkeypatch):
    from fundtrack.organisations import views

    login_as("fundraiser")

    def locked(*args, **kwargs):
        raise peewee.OperationalError("database is locked")

    monkeypatch.setattr(views.services, "create_organisation", locked)
    answer = post(client, "/organisations/new", {"name": "Café Kornet", "kind": "enterprise"}, token_from="/organisations/new")
    body = answer.get_data(as_text=True)
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "30"
    assert 'name="name" value="Café Kornet"' in body and 'action="/organisations/new"' in body
    monkeypatch.undo()  # the database is back: the same form goes through
    assert (
        post(
            client, "/organisations/new", {"name": "Café Kornet", "kind": "enterprise"}, token_from="/organisations/new"
        ).status_code
        == 302
    )
