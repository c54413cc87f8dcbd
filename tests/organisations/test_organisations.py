from fundtrack.audit.models import AuditEntry
from fundtrack.organisations.models import Organisation
from tests.conftest import post


def test_fundraiser_creates_an_organisation_with_tags_and_goals(client, login_as):
    login_as("fundraiser")
    response = post(
        client,
        "/organisations/new",
        {
            "name": "Café Kornet",
            "kind": "enterprise",
            "cvr_number": "3141 5926",
            "website": "",
            "description": "Café og cateringkøkken",
            "interests": "Mad, catering; unge, mad",
            "un_goals": "8, 12",
        },
        token_from="/organisations/new",
    )
    assert response.status_code == 302
    organisation = Organisation.get(Organisation.name == "Café Kornet")
    assert organisation.interests == ["mad", "catering", "unge"]
    assert organisation.un_goals == [8, 12]
    assert organisation.cvr_number == "31415926"
    assert AuditEntry.get(AuditEntry.table == "organisation", AuditEntry.record_id == organisation.id).action == "create"


def test_a_rejected_form_keeps_what_was_typed_and_names_the_fields(client, login_as, create_organisation):
    create_organisation("Genbrugslab")
    login_as("fundraiser")
    response = post(
        client,
        "/organisations/new",
        {
            "name": "Genbrugslab",
            "kind": "enterprise",
            "cvr_number": "123",
            "description": "Mine noter",
            "interests": "genbrug",
            "un_goals": "4, 18",
        },
        token_from="/organisations/new",
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Der findes allerede en organisation med dette navn" in body
    assert "Et CVR-nummer har 8 cifre" in body
    assert "Verdensmål er numre fra 1 til 17" in body
    assert "Mine noter" in body and 'value="4, 18"' in body
    assert Organisation.select().count() == 1


def test_edit_records_what_changed(client, login_as, create_organisation):
    organisation = create_organisation("Reparationscaféen", interests="reparation")
    user = login_as("fundraiser")
    response = post(
        client,
        f"/organisations/{organisation.id}/edit",
        {
            "name": "Reparationscaféen",
            "kind": "association",
            "interests": "reparation, genbrug",
            "un_goals": "12",
        },
        token_from=f"/organisations/{organisation.id}/edit",
    )
    assert response.status_code == 302
    entry = AuditEntry.get(AuditEntry.action == "update", AuditEntry.record_id == organisation.id)
    assert entry.actor_id == user.id
    assert entry.changes["kind"] == ["enterprise", "association"]
    assert entry.changes["interests"] == [["reparation"], ["reparation", "genbrug"]]


def test_archive_hides_from_the_list_until_asked(client, login_as, create_organisation):
    organisation = create_organisation("Gammel Forening")
    login_as("fundraiser")
    post(client, f"/organisations/{organisation.id}/archive", token_from="/", follow_redirects=True)
    assert "Gammel Forening" not in client.get("/organisations/").get_data(as_text=True)
    assert "Gammel Forening" in client.get("/organisations/?archived=1").get_data(as_text=True)


def test_a_tag_longer_than_a_tag_holds_is_refused_not_cut(client, login_as):
    login_as("fundraiser")
    long_tag = "socialøkonomisk " * 10  # 160 characters, more than a tag may hold
    response = post(
        client,
        "/organisations/new",
        {"name": "Café Kornet", "kind": "enterprise", "interests": f"mad, {long_tag}"},
        token_from="/organisations/new",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Et mærke må fylde 100 tegn" in body
    assert long_tag.strip() in body  # what was typed is kept in the field
    assert Organisation.select().count() == 0
