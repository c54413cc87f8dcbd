"""Documents: upload, versions, refusals by content, who sees which file, the standing papers, both storages
and `fundtrack files check`."""

import io
import json
import re

import boto3
import openpyxl
import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from fundtrack.deadlines.services import add_deadline
from fundtrack.documents import services
from fundtrack.documents.models import Document, DocumentVersion
from fundtrack.storage import FolderStorage, S3Storage, content_key
from fundtrack.validation import ValidationError
from tests.conftest import NOW, csrf_token, login
from tests.servers import S3Server

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PDF_2 = PDF.replace(b"1.4", b"1.7")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "Budget"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, path, data, filename, kind="other", *, as_json=False, token_from="/"):
    headers = {"Accept": "application/json"} if as_json else {}
    form = {"csrf_token": csrf_token(client, token_from), "kind": kind, "file": FileStorage(io.BytesIO(data), filename)}
    boundary, body = encode_multipart(form)  # in memory: the client would spool a large body to an unclosed file
    return client.post(path, data=body, headers=headers, content_type=f"multipart/form-data; boundary={boundary}")


def send(client, path, data=None, token_from="/"):
    return client.post(path, data={"csrf_token": csrf_token(client, token_from), **(data or {})})


@pytest.fixture
def kornet_application(create_organisation, create_application):
    kornet = create_organisation("Café Kornet")
    return create_application(organisation=kornet, title="Køkkenet")


def test_upload_to_an_application_lists_it_and_downloads_the_same_bytes(client, login_as, kornet_application):
    login_as("fundraiser")
    response = upload(client, f"/documents/applications/{kornet_application.id}", PDF, "Ansøgning 2027.pdf", "application_text")
    assert response.status_code == 302 and response.location.endswith(f"/applications/{kornet_application.id}#documents")
    document = Document.get()
    assert (document.kind, document.name, document.organisation_id) == (
        "application_text",
        "Ansøgning 2027.pdf",
        kornet_application.organisation_id,
    )
    page = client.get(f"/applications/{kornet_application.id}").get_data(as_text=True)
    assert "Ansøgning 2027.pdf" in page and 'id="documents"' in page
    download = client.get(f"/documents/{document.id}/download")
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert "filename*=UTF-8''Ans%C3%B8gning%202027.pdf" in download.headers["Content-Disposition"]


def test_a_dropped_file_gets_a_json_answer(client, login_as, kornet_application):
    login_as("fundraiser")
    ok = upload(client, f"/documents/applications/{kornet_application.id}", xlsx_bytes(), "budget.xlsx", "budget", as_json=True)
    assert ok.status_code == 200 and ok.json["ok"] and "budget.xlsx" in ok.json["message"]
    refused = upload(client, f"/documents/applications/{kornet_application.id}", PNG, "budget.xlsx", as_json=True)
    assert refused.status_code == 400 and not refused.json["ok"]
    assert "PNG" in refused.json["errors"][0]


def test_a_new_version_keeps_the_old_one(client, login_as, kornet_application):
    login_as("fundraiser")
    upload(client, f"/documents/applications/{kornet_application.id}", PDF, "budget.pdf", "budget")
    document = Document.get()
    response = upload(client, f"/documents/{document.id}/replace", PDF_2, "budget v2.pdf", token_from=f"/documents/{document.id}")
    assert response.status_code == 302
    document = Document.get_by_id(document.id)
    assert (document.name, document.versions_count) == ("budget v2.pdf", 2)
    first, second = DocumentVersion.select().order_by(DocumentVersion.number)
    assert client.get(f"/documents/{document.id}/download").data == PDF_2
    assert client.get(f"/documents/{document.id}/versions/{first.id}/download").data == PDF
    page = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert "budget.pdf" in page and "budget v2.pdf" in page
    assert first.key != second.key


@pytest.mark.parametrize(
    ("data", "filename", "says"),
    [
        (PNG, "vedtægter.pdf", "PNG"),  # the name promises a PDF, the content is an image
        (EXE, "rapport.pdf", "not a type of file"),
        (b"", "tom.pdf", "empty"),
        (PDF, "rapport.exe", "PDF"),
        (PDF, "", "Choose a file"),
    ],
)
def test_a_file_whose_content_does_not_match_is_refused_and_nothing_is_kept(
    client, login_as, kornet_application, app, data, filename, says
):
    login_as("fundraiser", language="en")
    response = upload(client, f"/documents/applications/{kornet_application.id}", data, filename, "budget", as_json=True)
    assert response.status_code == 400
    assert says in " ".join(response.json["errors"])
    assert Document.select().count() == 0
    assert list(app.extensions["fundtrack.storage"].keys()) == []


def test_a_refused_plain_form_says_why_and_keeps_the_chosen_kind(client, login_as, kornet_application):
    login_as("fundraiser", language="en")
    response = upload(client, f"/documents/applications/{kornet_application.id}", PNG, "budget.pdf", "budget")
    assert response.status_code == 302 and "document_kind=budget" in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert "named as another type of file" in page
    assert re.search(r'<option value="budget" selected', page)


def test_a_file_larger_than_the_limit_is_refused(make_app, create_user, kornet_application):
    app = make_app(files={"max_mb": 1})
    client = app.test_client()
    login(client, create_user("fundraiser", language="en"))
    big = PDF + b"0" * (1024 * 1024)
    response = upload(client, f"/documents/applications/{kornet_application.id}", big, "stor.pdf", as_json=True)
    assert response.status_code == 400 and "larger than 1 MB" in response.json["errors"][0]


def test_types_not_in_the_configured_list_are_refused():
    settings = services.FileSettings(allowed_types=("application/pdf",))
    with pytest.raises(ValidationError):
        services.check_upload(xlsx_bytes(), "budget.xlsx", settings)
    assert services.check_upload(PDF, "a.PDF", settings) == ("a.PDF", "application/pdf")
    assert services.check_upload("Navn;Beløb\nKøkken;100\n".encode(), "b.csv", services.FileSettings())[1] == "text/csv"


def test_removing_a_document_keeps_its_versions_and_history(client, login_as, kornet_application):
    login_as("fundraiser", language="en")
    upload(client, f"/documents/applications/{kornet_application.id}", PDF, "tilsagn.pdf", "award_letter")
    document = Document.get()
    response = send(client, f"/documents/{document.id}/delete", {"confirmed": "1"})
    assert response.status_code == 302
    page = client.get(f"/applications/{kornet_application.id}").get_data(as_text=True)
    assert "No documents yet." in page
    assert DocumentVersion.select().count() == 1
    assert client.get(f"/documents/{document.id}").status_code == 404
    activity = client.get("/activity/").get_data(as_text=True)
    assert "tilsagn.pdf" in activity


def test_members_see_only_their_own_organisations_files(
    client, app, create_organisation, create_user, create_application, create_funder, kornet_application
):
    fundraiser = create_user("fundraiser")
    login(client, fundraiser)
    upload(client, f"/documents/applications/{kornet_application.id}", PDF, "kornet.pdf")
    upload(client, f"/documents/organisations/{kornet_application.organisation_id}", PDF_2, "vedtægter.pdf", "statutes")
    funder = create_funder("Velux Fonden")
    upload(client, f"/documents/funders/{funder.id}", PDF, "retningslinjer.pdf")
    application_doc, organisation_doc, funder_doc = Document.select().order_by(Document.id)
    version = DocumentVersion.get(DocumentVersion.document == application_doc)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    other = create_organisation("Haven")
    login(client, create_user("member", organisation=other))
    for document in (application_doc, organisation_doc, funder_doc):
        assert client.get(f"/documents/{document.id}").status_code == 404
        assert client.get(f"/documents/{document.id}/download").status_code == 404
        assert send(client, f"/documents/{document.id}/delete", {"confirmed": "1"}).status_code == 404
        assert send(client, f"/documents/{document.id}/kind", {"kind": "other"}).status_code == 404
        assert upload(client, f"/documents/{document.id}/replace", PDF, "x.pdf").status_code == 404
    assert client.get(f"/documents/{application_doc.id}/versions/{version.id}/download").status_code == 404
    assert upload(client, f"/documents/applications/{kornet_application.id}", PDF, "x.pdf").status_code == 404
    assert upload(client, f"/documents/organisations/{kornet_application.organisation_id}", PDF, "x.pdf").status_code == 404
    assert upload(client, f"/documents/funders/{funder.id}", PDF, "x.pdf").status_code == 403
    assert "retningslinjer.pdf" not in client.get(f"/funders/{funder.id}").get_data(as_text=True)
    own = create_application(organisation=other, title="Haven")
    assert upload(client, f"/documents/applications/{own.id}", PDF, "haven.pdf").status_code == 302
    mine = Document.get(Document.name == "haven.pdf")
    # a version id of another document under this document's URL names nothing
    assert client.get(f"/documents/{mine.id}/versions/{version.id}/download").status_code == 404
    assert client.get(f"/documents/{mine.id}/download").data == PDF


def test_viewers_read_documents_but_change_none(client, create_user, kornet_application):
    login(client, create_user("fundraiser"))
    upload(client, f"/documents/applications/{kornet_application.id}", PDF, "a.pdf")
    document = Document.get()
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, create_user("viewer"))
    assert client.get(f"/documents/{document.id}/download").status_code == 200
    assert send(client, f"/documents/{document.id}/delete", {"confirmed": "1"}).status_code == 403
    assert upload(client, f"/documents/applications/{kornet_application.id}", PDF, "b.pdf").status_code == 403


def test_standing_documents_are_offered_to_a_new_application(client, login_as, create_application, kornet_application):
    login_as("fundraiser", language="en")
    kornet = kornet_application.organisation
    upload(client, f"/documents/organisations/{kornet.id}", PDF, "vedtægter.pdf", "statutes")
    upload(client, f"/documents/organisations/{kornet.id}", PDF_2, "regnskab 2025.pdf", "accounts")
    upload(client, f"/documents/organisations/{kornet.id}", PNG[:0] + PDF + b"%x", "logo-note.pdf", "other")
    new = create_application(organisation=kornet, title="Haven ved kantinen")
    page = client.get(f"/applications/{new.id}").get_data(as_text=True)
    assert "standing documents" in page and "vedtægter.pdf" in page and "logo-note.pdf" not in page.split("standing documents")[1]
    statutes = Document.get(Document.name == "vedtægter.pdf")
    accounts = Document.get(Document.name == "regnskab 2025.pdf")
    response = send(client, f"/documents/applications/{new.id}/standing", {"document": [str(statutes.id), str(accounts.id)]})
    assert response.status_code == 302
    attached = Document.select().where(Document.application == new.id)
    assert sorted(d.name for d in attached) == ["regnskab 2025.pdf", "vedtægter.pdf"]
    copy = DocumentVersion.get(DocumentVersion.document == attached.where(Document.kind == "statutes").get())
    assert copy.key == content_key(PDF)
    page = client.get(f"/applications/{new.id}").get_data(as_text=True)
    assert "standing documents" not in page  # both are attached now


def test_report_deadlines_and_projects_keep_documents(client, login_as, kornet_application):
    from fundtrack.projects.services import create_project

    login_as("fundraiser")
    report = add_deadline(
        kornet_application, kind="final_report", due_on=NOW.date().replace(year=NOW.year + 1), actor=None, now=NOW
    )
    assert upload(client, f"/documents/deadlines/{report.id}", PDF, "slutrapport.pdf", "report").status_code == 302
    assert "slutrapport.pdf" in client.get(f"/deadlines/{report.id}").get_data(as_text=True)
    project = create_project({"organisation": kornet_application.organisation, "name": "Kantinen"}, actor=None, now=NOW)
    assert upload(client, f"/documents/projects/{project.id}", PDF_2, "budget.pdf", "budget").status_code == 302
    assert "budget.pdf" in client.get(f"/projects/{project.id}").get_data(as_text=True)


def test_files_check_finds_missing_bytes_and_stray_files(client, login_as, runner, app, kornet_application):
    login_as("fundraiser")
    upload(client, f"/documents/applications/{kornet_application.id}", PDF, "a.pdf")
    result = runner.invoke(["files", "check"])
    assert result.exit_code == 0 and "1 versions checked, 0 missing, 0 stored files" in result.output
    storage = app.extensions["fundtrack.storage"]
    storage.delete(content_key(PDF))
    stray = storage.put(b"left behind")
    result = runner.invoke(["files", "check"])
    assert result.exit_code == 1
    assert "missing: version 1" in result.output and f"not in the database: {stray}" in result.output


def test_the_folder_storage_keeps_identical_bytes_once(tmp_path):
    storage = FolderStorage(tmp_path / "files")
    assert storage.put(PDF) == storage.put(PDF) == content_key(PDF)
    assert list(storage.keys()) == [content_key(PDF)] and storage.get(content_key(PDF)) == PDF
    with pytest.raises(services.StorageError):
        storage.get("../../etc/passwd")


@pytest.fixture(scope="module")
def s3_server():
    server = S3Server()
    url = server.start()
    yield url
    server.stop()


def test_documents_are_kept_in_s3_compatible_storage(s3_server, make_app, create_user, kornet_application, runner):
    s3 = boto3.client(
        "s3", endpoint_url=s3_server, region_name="eu-north-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    s3.create_bucket(Bucket="fundtrack-files", CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
    app = make_app(
        files={
            "storage": "s3",
            "s3_bucket": "fundtrack-files",
            "s3_prefix": "kommune",
            "s3_endpoint_url": s3_server,
            "s3_region": "eu-north-1",
            "s3_access_key": "test",
            "s3_secret_key": "test",
        }
    )
    assert isinstance(app.extensions["fundtrack.storage"], S3Storage)
    client = app.test_client()
    login(client, create_user("fundraiser"))
    assert upload(client, f"/documents/applications/{kornet_application.id}", PDF, "a.pdf").status_code == 302
    stored = [item["Key"] for item in s3.list_objects_v2(Bucket="fundtrack-files")["Contents"]]
    assert stored == [f"kommune/{content_key(PDF)}"]
    document = Document.get()
    assert client.get(f"/documents/{document.id}/download").data == PDF
    from fundtrack.documents.cli import group

    result = app.test_cli_runner().invoke(group, ["check"])
    assert result.exit_code == 0, result.output
    s3.put_object(Bucket="fundtrack-files", Key="kommune/ab/stray", Body=b"x")
    result = app.test_cli_runner().invoke(group, ["check"])
    assert result.exit_code == 1 and "not in the database: ab/stray" in result.output
    assert json.loads(json.dumps(services.check_storage(app.extensions["fundtrack.storage"]).orphans)) == ["ab/stray"]
