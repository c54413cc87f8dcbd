"""Where the top-level data folders (templates, static, migrations, alerts) are found.

In a checkout or an editable install they sit beside the package; a wheel carries
copies inside the package under `_data/`.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def data_folder(name: str) -> Path:
    """The folder `name` from the project tree, else from the wheel's copy."""
    beside = PACKAGE_DIR.parent / name
    if beside.is_dir():
        return beside
    return PACKAGE_DIR / "_data" / name


def read_static(name: str) -> str:
    """A static file's text, e.g. a stylesheet to put inside a standalone document."""
    return (data_folder("static") / name).read_text(encoding="utf-8")
