"""Contact people of organisations and funders: one model, one form, one service, and who may change them."""

from fundtrack.audit.models import AuditEntry
from fundtrack.contacts.models import Contact
from fundtrack.contacts.services import add_contact
from tests.conftest import NOW, post


def test_member_adds_and_removes_contacts_of_own_organisation(client, login_as, create_organisation):
    organisation = create_organisation("Café Kornet")
    login_as("member", organisation=organisation)
    response = post(
        client,
        f"/organisations/{organisation.id}/contacts",
        {"name": "Jonas Berg", "email": "jonas@example.dk", "receives_alerts": "y"},
        token_from="/",
    )
    assert response.status_code == 302
    contact = Contact.get(Contact.name == "Jonas Berg")
    assert contact.receives_alerts and contact.organisation_id == organisation.id
    response = post(client, f"/organisations/{organisation.id}/contacts", {"name": "", "email": "nope"}, token_from="/")
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and 'value="nope"' in body  # the form comes back with what was typed
    post(client, f"/contacts/{contact.id}/delete", {"confirmed": "1"}, token_from="/")
    assert not Contact.select().exists()
    removed = AuditEntry.get(AuditEntry.table == "contact", AuditEntry.action == "delete")
    assert removed.page_table == "organisation" and removed.page_id == organisation.id


def test_a_member_cannot_remove_another_organisations_or_a_funders_contact(client, login_as, create_organisation, create_funder):
    own, other = create_organisation("Own"), create_organisation("Other")
    foreign = add_contact(other, {"name": "Someone"}, actor=None, now=NOW)
    officer = add_contact(create_funder(), {"name": "Programme officer"}, actor=None, now=NOW)
    login_as("member", organisation=own)
    assert post(client, f"/contacts/{foreign.id}/delete", {"confirmed": "1"}, token_from="/").status_code == 404
    assert post(client, f"/contacts/{officer.id}/delete", {"confirmed": "1"}, token_from="/").status_code == 404
    assert client.get(f"/contacts/{foreign.id}/edit").status_code == 404
    assert Contact.select().count() == 2


def test_fundraiser_adds_edits_and_removes_a_funders_contact(client, login_as, create_funder):
    funder = create_funder(name="Kornmod Fonden")
    login_as("fundraiser")
    response = post(
        client,
        f"/funders/{funder.id}/contacts",
        {"name": "Sekretariatet", "email": "Sek@Kornmod.dk", "receives_alerts": "y"},
        token_from="/",
    )
    assert response.status_code == 302
    contact = Contact.get()
    assert (contact.funder_id, contact.email, contact.receives_alerts) == (funder.id, "sek@kornmod.dk", False)
    assert "Sekretariatet" in client.get(f"/funders/{funder.id}").get_data(as_text=True)
    response = post(
        client,
        f"/contacts/{contact.id}/edit",
        {"name": "Sekretariatet", "title": "Programchef", "email": "sek@kornmod.dk"},
        token_from=f"/contacts/{contact.id}/edit",
    )
    assert response.status_code == 302 and Contact.get().title == "Programchef"
    response = post(client, f"/contacts/{contact.id}/delete", {"confirmed": "1"}, token_from="/")
    assert response.status_code == 302 and not Contact.select().exists()


def test_the_funder_contact_form_keeps_what_was_typed(client, login_as, create_funder):
    funder = create_funder()
    login_as("fundraiser")
    response = post(client, f"/funders/{funder.id}/contacts", {"name": "Anna", "email": "ikke en adresse"}, token_from="/")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'value="Anna"' in body and "Skriv en gyldig e-mailadresse" in body
