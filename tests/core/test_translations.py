"""Every message in the code and templates has a Danish translation, and the compiled catalogue is current."""

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "fundtrack/translations/da/LC_MESSAGES/messages.po"
MO = ROOT / "fundtrack/translations/da/LC_MESSAGES/messages.mo"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None}


def extracted_messages() -> set[str]:
    found = set()
    for folder, method in (("fundtrack", "python"), ("templates", "jinja2")):
        pattern = "**.py" if method == "python" else "**.html"
        for _, _, message, _, _ in extract_from_dir(ROOT / folder, method_map=[(pattern, method)], keywords=KEYWORDS):
            for text in message if isinstance(message, tuple) else (message,):
                if text:
                    found.add(text)
    return found


def test_every_message_has_a_danish_translation():
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="da")
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
    missing = sorted(text for text in extracted_messages() if text not in translated or not translated[text].string)
    assert not missing, "untranslated: " + "; ".join(missing[:20])
    fuzzy = sorted(m.id for m in translated.values() if m.fuzzy)
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


def test_compiled_catalogue_matches_the_po_file():
    with PO.open("rb") as fh:
        po = {m.id: m.string for m in read_po(fh, locale="da") if m.id}
    mo = {m.id: m.string for m in read_mo(io.BytesIO(MO.read_bytes())) if m.id}
    assert po == mo, "run: pybabel compile -d fundtrack/translations -l da"


def test_placeholders_survive_translation():
    import re

    with PO.open("rb") as fh:
        for message in read_po(fh, locale="da"):
            if message.id and isinstance(message.id, str):
                assert set(re.findall(r"%\(\w+\)\w", message.id)) == set(re.findall(r"%\(\w+\)\w", message.string)), message.id
