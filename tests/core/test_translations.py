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


def _forms(value) -> tuple:
    """A message's id or string as a tuple: one text, or every plural form."""
    return (value,) if isinstance(value, str) else tuple(value)


def _complete(message) -> bool:
    return all(_forms(message.string)) and bool(_forms(message.string))


def test_every_message_has_a_danish_translation():
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="da")
    translated = {text: m for m in catalog if m.id for text in _forms(m.id)}
    missing = sorted(text for text in extracted_messages() if text not in translated or not _complete(translated[text]))
    assert not missing, "untranslated: " + "; ".join(missing[:20])
    fuzzy = sorted(str(m.id) for m in catalog if m.id and m.fuzzy)
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


def test_danish_plurals_have_both_forms():
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="da")
    assert catalog.num_plurals == 2
    for message in catalog:
        if message.id and not isinstance(message.id, str):
            assert len(_forms(message.string)) == 2 and message.string[0] != message.string[1], message.id


def test_compiled_catalogue_matches_the_po_file():
    with PO.open("rb") as fh:
        po = {_forms(m.id): _forms(m.string) for m in read_po(fh, locale="da") if m.id}
    mo = {_forms(m.id): _forms(m.string) for m in read_mo(io.BytesIO(MO.read_bytes())) if m.id}
    assert po == mo, "run: pybabel compile -d fundtrack/translations -l da"


def test_placeholders_survive_translation():
    import re

    def names(text):
        return set(re.findall(r"%\(\w+\)\w", text))

    with PO.open("rb") as fh:
        for message in read_po(fh, locale="da"):
            if not message.id:
                continue
            ids, strings = _forms(message.id), _forms(message.string)
            for index, text in enumerate(strings):
                # a plural form may leave the number out ("ét punkt"), never add a name the source lacks
                source = names(ids[min(index, len(ids) - 1)])
                assert names(text) <= source | names(ids[-1]) and (len(ids) > 1 or names(text) == source), message.id
