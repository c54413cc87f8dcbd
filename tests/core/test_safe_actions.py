"""Removing and ending things: asked first (a dialog, or a page without JavaScript), taken back for a while
afterwards, and a final stage reopened by the fundraiser, all on the record."""

import datetime as dt
import re

from fundtrack.applications import services as applications
from fundtrack.applications.models import Application, StageChange
from fundtrack.audit.models import AuditEntry
from fundtrack.contacts.models import Contact
from fundtrack.contacts.services import add_contact
from fundtrack.deadlines.models import Deadline
from fundtrack.deadlines.services import add_deadline
from fundtrack.funders.models import Round
from fundtrack.funders.services import create_round
from tests.conftest import NOW, post


def _undo(client, page_after):
    """Press the Undo button shown on the page after the removal."""
    body = client.get(page_after).get_data(as_text=True)
    found = re.search(r'action="/undo".*?name="id" value="(\d+)"', body, re.S)
    assert found, "no undo offered"
    return post(client, "/undo", {"id": found.group(1), "next": page_after}, token_from=page_after)


def test_a_removal_without_confirmation_asks_on_a_page_and_keeps_everything(client, login_as, create_application):
    application = create_application(title="Køkkenet")
    deadline = add_deadline(application, "submission", dt.date(2027, 3, 1), now=NOW)
    login_as("fundraiser", language="en")
    page = f"/applications/{application.id}"
    asked = post(client, f"/deadlines/{deadline.id}/delete", {"next": page}, token_from=page)
    body = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Are you sure?" in body and "Remove the deadline" in body
    assert 'name="confirmed" value="1"' in body and f'action="/deadlines/{deadline.id}/delete"' in body
    assert 'name="next" value="/applications/' in body  # what the form carried is sent again
    assert Deadline.get_by_id(deadline.id).deleted_at is None
    assert "data-confirm=" in client.get(page).get_data(as_text=True)  # the dialog's question is on the button's form


def test_a_removed_deadline_comes_back_with_undo(client, login_as, create_application):
    application = create_application(title="Køkkenet")
    deadline = add_deadline(application, "submission", dt.date(2027, 3, 1), now=NOW)
    login_as("fundraiser", language="en")
    page = f"/applications/{application.id}"
    assert post(client, f"/deadlines/{deadline.id}/delete", {"confirmed": "1"}, token_from=page).status_code == 302
    assert Deadline.get_by_id(deadline.id).deleted_at is not None
    assert _undo(client, page).status_code == 302
    back = Deadline.get_by_id(deadline.id)
    assert back.deleted_at is None and back.sequence == deadline.sequence + 2  # calendars see it change twice
    assert AuditEntry.select().where((AuditEntry.table == "deadline") & (AuditEntry.action == "restore")).count() == 1
    assert "Undone" in client.get(page).get_data(as_text=True)


def test_undo_is_offered_once_and_runs_out(client, login_as, create_application, frozen_clock):
    application = create_application()
    deadline = add_deadline(application, "submission", dt.date(2027, 3, 1), now=NOW)
    login_as("fundraiser", language="en")
    page = f"/applications/{application.id}"
    post(client, f"/deadlines/{deadline.id}/delete", {"confirmed": "1"}, token_from=page)
    body = client.get(page).get_data(as_text=True)
    offered = re.search(r'action="/undo".*?name="id" value="(\d+)"', body, re.S).group(1)
    assert 'action="/undo"' not in client.get(page).get_data(as_text=True)  # shown on the next page only
    frozen_clock.shift(dt.timedelta(minutes=11))
    late = post(client, "/undo", {"id": offered, "next": page}, token_from=page)
    assert late.status_code == 302 and Deadline.get_by_id(deadline.id).deleted_at is not None
    assert "can no longer be undone" in client.get(page).get_data(as_text=True)


def test_a_removed_contact_comes_back_as_it_was(client, login_as, create_organisation):
    kornet = create_organisation("Café Kornet")
    contact = add_contact(kornet, {"name": "Mette", "email": "mette@example.dk", "receives_alerts": False}, actor=None, now=NOW)
    login_as("fundraiser", language="en")
    page = f"/organisations/{kornet.id}"
    post(client, f"/contacts/{contact.id}/delete", {"confirmed": "1"}, token_from=page)
    assert Contact.get_or_none(Contact.id == contact.id) is None
    assert _undo(client, page).status_code == 302
    back = Contact.get_by_id(contact.id)
    assert (back.name, back.email, back.receives_alerts, back.organisation_id) == ("Mette", "mette@example.dk", False, kornet.id)


def test_a_removed_round_comes_back_linked_to_its_applications(client, login_as, create_funder, create_application):
    velux = create_funder("Velux Fonden")
    round_ = create_round(velux, {"name": "Forår", "kind": "once", "once_on": dt.date(2027, 3, 1)}, actor=None, now=NOW)
    application = create_application(funder=velux, round=round_)
    login_as("fundraiser", language="en")
    page = f"/funders/{velux.id}"
    post(client, f"/funders/{velux.id}/rounds/{round_.id}/delete", {"confirmed": "1"}, token_from=page)
    assert Round.get_or_none(Round.id == round_.id) is None and Application.get_by_id(application.id).round_id is None
    _undo(client, page)
    assert Round.get_by_id(round_.id).once_on == dt.date(2027, 3, 1)
    assert Application.get_by_id(application.id).round_id == round_.id


def test_another_user_cannot_take_back_my_removal(client, login_as, create_application, app):
    from fundtrack import undo

    application = create_application()
    contact_owner = application.organisation
    contact = add_contact(contact_owner, {"name": "Mette"}, actor=None, now=NOW)
    someone = login_as("fundraiser")
    from fundtrack.contacts.services import remove_contact

    removed = remove_contact(contact, actor=None, now=NOW)
    assert not undo.copy_kept_by(removed.id, someone)


def test_a_withdrawal_is_confirmed_then_undone_with_its_deadlines(client, login_as, create_application):
    application = create_application(title="Sansehaven")
    deadline = add_deadline(application, "submission", dt.date(2027, 3, 1), now=NOW)
    login_as("member", organisation=application.organisation, language="en")
    page = f"/applications/{application.id}"
    unconfirmed = post(client, f"/applications/{application.id}/move", {"to": "withdrawn"}, token_from=page)
    assert unconfirmed.status_code == 302 and "to=withdrawn" in unconfirmed.headers["Location"]
    confirm_page = client.get(unconfirmed.headers["Location"]).get_data(as_text=True)
    assert "Withdraw Sansehaven?" in confirm_page and 'name="confirmed" value="1"' in confirm_page
    assert Application.get_by_id(application.id).stage == "idea"
    post(client, f"/applications/{application.id}/move", {"to": "withdrawn", "confirmed": "1"}, token_from=page)
    assert Application.get_by_id(application.id).stage == "withdrawn"
    assert Deadline.get_by_id(deadline.id).done_at is not None
    _undo(client, page)
    assert Application.get_by_id(application.id).stage == "idea"
    assert Deadline.get_by_id(deadline.id).done_at is None
    assert [c.to_stage for c in StageChange.select().order_by(StageChange.id)][-2:] == ["withdrawn", "idea"]


def test_the_fundraiser_reopens_a_rejection_on_the_record(client, login_as, create_application, complete_checklist):
    application = create_application(title="Værkstedet")
    complete_checklist(application)
    applications.move_stage(application, "drafting", actor=None, now=NOW)
    applications.move_stage(application, "submitted", actor=None, now=NOW)
    applications.move_stage(application, "rejected", actor=None, now=NOW, reason_code="competition")
    login_as("member", organisation=application.organisation)
    page = f"/applications/{application.id}"
    assert post(client, f"/applications/{application.id}/reopen", {"confirmed": "1"}, token_from=page).status_code == 403
    post(client, "/logout", token_from="/")
    login_as("fundraiser", language="en")
    assert "Reopen" in client.get(page).get_data(as_text=True)
    post(client, f"/applications/{application.id}/reopen", {"confirmed": "1"}, token_from=page)
    reopened = Application.get_by_id(application.id)
    assert (reopened.stage, reopened.decided_on) == ("submitted", None)
    assert AuditEntry.select().where((AuditEntry.table == "application") & (AuditEntry.action == "reopen")).count() == 1
    assert "open again" in client.get(page).get_data(as_text=True)


def test_the_move_page_prefills_a_grant(client, login_as, create_application):
    application = create_application(amount_requested_ore=250_000_00)
    login_as("fundraiser", language="en")
    body = client.get(f"/applications/{application.id}/move?to=granted").get_data(as_text=True)
    assert re.search(r'name="amount_granted_ore"[^>]*value="250[.,]000', body)
    assert 'value="2026-' in body or 'value="2027-' in body or re.search(r'name="decided_on"[^>]*value="[^"]+"', body)
