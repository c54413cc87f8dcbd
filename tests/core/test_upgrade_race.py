"""Two processes that start at once on one SQLite file (the web server and the scheduler) both upgrade it:
one waits for the other, and both end well."""

import os
import subprocess
import sys

import pytest

from tests.conftest import BACKEND


@pytest.mark.skipif(BACKEND != "sqlite", reason="PostgreSQL serialises upgrades with an advisory lock of its own")
def test_two_processes_upgrading_one_sqlite_file_both_end_well(tmp_path):
    environment = {
        **os.environ,
        "FUNDTRACK_DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "FUNDTRACK_SECRET_KEY": "x" * 32,
        "FUNDTRACK_FILES_FOLDER": str(tmp_path / "files"),
    }
    command = [sys.executable, "-m", "fundtrack", "db", "upgrade"]
    runs = [
        subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    answers = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], answers
    said = sorted(out.strip().split(":")[0] for out, _ in answers)
    assert said == ["Applied", "The database is up to date."], answers
