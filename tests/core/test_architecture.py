"""The house rules: dependencies run one way, a function-level import says why, and no GET writes."""

import ast
import hashlib
from pathlib import Path

import pytest

from fundtrack import access
from fundtrack.auth.models import User
from fundtrack.db import db
from tests.conftest import NOW, login

PACKAGE = Path(__file__).resolve().parents[2] / "fundtrack"

# The layers of fundtrack/__init__.py's docstring: a module may import from its own layer and the ones below.
LAYERS = {
    1: (
        "config",
        "db",
        "clock",
        "money",
        "periods",
        "i18n",
        "i18n_markers",
        "mail",
        "web",
        "access",
        "audit",
        "events",
        "tags",
        "validation",
        "forms",
        "spreadsheets",
        "importing",
        "resources",
        "logs",
        "security",
        "errors",
        "health",
        "console",
        "translations",
        "storage",
        "search",
        "undo",
    ),
    2: ("organisations", "funders"),
    3: ("auth", "contacts"),
    4: ("applications",),
    5: ("deadlines", "instalments", "fees", "checklists", "projects", "documents", "tasks", "comments"),
    6: ("relationships", "feeds", "calendars", "alerts"),
    7: ("reports", "dashboard", "imports"),
    8: ("__init__", "__main__", "cli", "scheduler", "demo", "schema", "backup"),
}
LAYER_OF = {name: layer for layer, names in LAYERS.items() for name in names}


def _part(module: str) -> str:
    """`fundtrack.feeds.services` -> `feeds`; `fundtrack` -> `__init__`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(relative.parts).removesuffix(".__init__")
        yield name, ast.parse(path.read_text(encoding="utf-8")), path


def _imports(tree):
    """(imported fundtrack module, line, inside a function?) for every import in a module."""
    functions = {id(node) for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    inside = set()
    for node in ast.walk(tree):
        if id(node) in functions:
            inside.update(id(child) for child in ast.walk(node))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("fundtrack"):
            # `from fundtrack import clock` imports the module fundtrack.clock, not the package's factory.
            names = [f"fundtrack.{alias.name}" for alias in node.names] if node.module == "fundtrack" else [node.module]
            for name in names:
                yield name, node.lineno, id(node) in inside
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("fundtrack"):
                    yield alias.name, node.lineno, id(node) in inside


def test_every_module_has_a_layer():
    unknown = sorted({_part(name) for name, _, _ in _modules()} - set(LAYER_OF))
    assert not unknown, f"give these a layer in fundtrack/__init__.py and here: {unknown}"


def test_no_module_imports_from_a_higher_layer():
    upward = []
    for name, tree, _path in _modules():
        own = LAYER_OF[_part(name)]
        for imported, line, _inside in _imports(tree):
            part = _part(imported)
            if part in LAYER_OF and LAYER_OF[part] > own and own != 8:
                upward.append(f"{name}:{line} imports {imported} (layer {LAYER_OF[part]} above {own})")
    assert not upward, "\n".join(upward)


def test_applications_import_no_domain_above_them():
    above = {"deadlines", "fees", "checklists", "relationships", "feeds", "calendars", "alerts", "reports"}
    found = [
        (name, imported)
        for name, tree, _ in _modules()
        if name.startswith("fundtrack.applications")
        for imported, _line, _inside in _imports(tree)
        if _part(imported) in above
    ]
    assert not found


def test_a_function_level_import_says_why():
    """An import inside a function is there for start-up order, and the line above it (or the docstring) says so."""
    silent = []
    for name, tree, path in _modules():
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            body = [n for n in node.body if isinstance(n, ast.Import | ast.ImportFrom)]
            if not body:
                continue
            first = body[0]
            reason = lines[first.lineno - 2].strip() if first.lineno >= 2 else ""
            if not reason.startswith("#") and "import" not in (ast.get_docstring(node) or "").lower():
                silent.append(f"{name}:{first.lineno} ({node.name})")
    assert not silent, "say why on the line before: " + ", ".join(silent)


# No GET writes.


@pytest.fixture
def demo(app):
    from fundtrack import demo as demo_data
    from fundtrack.calendars.services import issue
    from fundtrack.organisations.models import Organisation

    with db.connection_context():
        demo_data.load(today=NOW.date(), now=NOW)
        fundraiser = User.get(User.email == "fundraiser@example.dk")
        _, for_cafe = issue(organisation=Organisation.get(Organisation.name == "Café Kornet"), now=NOW, actor=fundraiser)
        _, for_fundraiser = issue(user=fundraiser, now=NOW, actor=fundraiser)
    return [f"/calendars/{for_cafe}.ics", f"/calendars/{for_fundraiser}.ics"]


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


def _fingerprint() -> dict[str, str]:
    """A hash of every row of every table."""
    from fundtrack.schema import MODELS

    prints = {}
    with db.connection_context():
        for model in MODELS:
            rows = model.select().order_by(model._meta.primary_key).tuples()
            prints[model._meta.table_name] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return prints


def _pages(app, user):
    """Every GET route, with a record the user may see wherever the URL needs one."""
    from tests.auth.test_access import UNSCOPED_SAMPLES, _url

    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        if view.access_roles is access.PUBLIC:
            continue
        blueprint = rule.endpoint.rpartition(".")[0]
        values = {}
        for variable in rule.arguments:
            if variable in view.access_unscoped:
                continue
            found = access.visible(blueprint, variable, user)
            record = found.order_by(found.model.id.desc()).first()
            if record is None:
                break
            values[variable] = record.id
            within = access.scope_of(blueprint, variable).within
            if within:
                values[within[0]] = getattr(record, f"{within[1]}_id")
        else:
            yield _url(rule, {**UNSCOPED_SAMPLES, **values})


@pytest.mark.parametrize("email", ["fundraiser@example.dk", "member@example.dk", "viewer@example.dk"])
def test_no_page_writes_to_the_database(app, client, demo, email, monkeypatch):
    with db.connection_context():
        user = User.get(User.email == email)
    login(client, user, password="demo")
    statements = []
    execute = type(db.obj).execute_sql

    def recording(self, sql, params=None, *args, **kwargs):
        if sql.lstrip().upper().startswith(WRITES):
            statements.append(sql)
        return execute(self, sql, params, *args, **kwargs)

    before = _fingerprint()
    monkeypatch.setattr(type(db.obj), "execute_sql", recording)
    pages = list(_pages(app, user))
    for url in pages + demo:  # and the calendar feeds, which no login guards
        response = client.get(url)
        assert response.status_code < 500, url
        assert not statements, f"GET {url} wrote: {statements[:3]}"
    monkeypatch.undo()
    assert _fingerprint() == before
    assert len(pages) >= 40
