"""A version of the overview kept for the committee never changes; what changed since shows against it."""

import datetime as dt
import re

import pytest

from fundtrack.applications import services as applications
from fundtrack.reports.models import ReportVersion
from tests.conftest import NOW, csrf_token, post
from tests.reports.conftest import worked  # noqa: F401  (the hand-worked fixture)

pytest.importorskip("weasyprint", reason="pip install 'fundtrack[pdf]' (and Debian's Pango) for the server's PDF")

LATER = NOW + dt.timedelta(days=3)


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_a_kept_version_stays_as_it_was_and_later_changes_show_with_their_reasons(worked, client, login_as):  # noqa: F811
    viewer = login_as("viewer")
    assert "Ingen version af denne oversigt" in _text(client.get("/reports/2026-Q3"))
    kept = post(client, "/reports/2026-Q3/committee", {}, token_from="/reports/2026-Q3")
    assert kept.status_code == 302
    version = ReportVersion.get()
    assert (version.period, version.occasion, version.made_by_id, version.with_fees) == ("2026-Q3", "committee", viewer.id, False)
    assert version.figures["granted_ore"] == 14_000_036 and version.figures["reclaimed_ore"] == 0
    pdf = client.get(f"/reports/versions/{version.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    document = client.get(f"/reports/versions/{version.id}.json").data
    assert "Intet er ændret siden rapporten" in _text(client.get("/reports/2026-Q3"))

    # After the report: a corrected grant and a reclaim inside the quarter.
    corrected, reclaimed = worked["repeat"], worked["municipal"]
    applications.update_application(corrected, {"amount_granted_ore": 9_500_025}, actor=None, now=LATER)
    applications.record_reclaim(reclaimed, 500_000, dt.date(2026, 9, 25), reason="For meget", actor=None, now=LATER)
    page = client.get("/reports/2026-Q3")
    text = _text(page)
    assert "Siden rapporten af" in text
    assert "Bevilget beløb +15.000 kr." in text and "Krævet tilbage af givere +5.000 kr." in text
    assert "Bevilget minus krævet tilbage +10.000 kr." in text
    assert "Bevilget beløb 80.000,25 kr. → 95.000,25 kr." in text  # the reason, from the history
    body = page.get_data(as_text=True)
    assert f'href="/applications/{corrected.id}"' in body.split('id="versions"')[1]
    assert f'href="/applications/{reclaimed.id}"' in body.split('id="versions"')[1]

    # The version itself is untouched: its figures, its PDF and its document, byte for byte.
    again = ReportVersion.get_by_id(version.id)
    assert again.figures == version.figures and again.pdf_sha256 == version.pdf_sha256
    assert client.get(f"/reports/versions/{version.id}.pdf").data == pdf.data
    assert client.get(f"/reports/versions/{version.id}.json").data == document


def test_versions_are_scoped_like_the_overview(worked, client, login_as, create_user):  # noqa: F811
    login_as("fundraiser")
    post(client, "/reports/2026-Q3/committee", {"with_fees": "1"}, token_from="/reports/2026-Q3")
    with_fees = ReportVersion.get()
    assert with_fees.with_fees
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login_as("viewer")
    assert client.get(f"/reports/versions/{with_fees.id}.pdf").status_code == 404  # fees are the fundraiser's
    post(client, "/reports/2026-Q3/committee", {"with_fees": "1"}, token_from="/reports/2026-Q3")
    plain = ReportVersion.select().where(ReportVersion.id != with_fees.id).get()
    assert not plain.with_fees  # a viewer cannot ask for the fees
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login_as("member", organisation=worked["kornet"])
    assert client.get(f"/reports/versions/{plain.id}.pdf").status_code == 404  # of every organisation, not theirs
    assert post(client, "/reports/2026-Q3/committee", {}, token_from="/reports/2026-Q3").status_code in (403, 404)
