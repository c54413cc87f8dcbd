import tomllib
from pathlib import Path

import pytest

from fundtrack.config import SECTIONS, ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]
SECRET = {"app": {"secret_key": "a-long-enough-secret-key"}}


def write(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return {"FUNDTRACK_CONFIG": str(path)}


def test_defaults_are_sqlite_danish_and_copenhagen():
    settings = load_settings({"testing": True}, environ={})
    assert settings.database.url == "sqlite:///instance/fundtrack.sqlite3"
    assert settings.app.default_language == "da"
    assert settings.app.timezone == "Europe/Copenhagen"


def test_unknown_key_is_rejected_with_its_name(tmp_path):
    env = write(tmp_path, '[database]\nulr = "sqlite:///x.db"\n')
    with pytest.raises(ConfigError, match=r"unknown key 'database\.ulr'"):
        load_settings({"testing": True}, environ=env)


def test_unknown_section_is_rejected_with_its_name(tmp_path):
    env = write(tmp_path, '[mial]\nhost = "x"\n')
    with pytest.raises(ConfigError, match=r"unknown section \[mial\]"):
        load_settings({"testing": True}, environ=env)


@pytest.mark.parametrize(
    "text, key",
    [
        ('[mail]\nport = "25"\n', "mail.port"),
        ("[feeds]\nallow_private_networks = 1\n", "feeds.allow_private_networks"),
        ('[app]\ntrusted_hosts = "example.dk"\n', "app.trusted_hosts"),
        ('[scheduler]\nembedded = "yes"\n', "scheduler.embedded"),
    ],
)
def test_wrong_type_is_rejected_with_the_key(tmp_path, text, key):
    with pytest.raises(ConfigError, match=f"'{key}'"):
        load_settings({"testing": True}, environ=write(tmp_path, text))


def test_bad_choice_is_rejected_with_the_key(tmp_path):
    with pytest.raises(ConfigError, match="'mail.security'"):
        load_settings({"testing": True}, environ=write(tmp_path, '[mail]\nsecurity = "ssl"\n'))
    with pytest.raises(ConfigError, match="'app.timezone'"):
        load_settings({"testing": True}, environ=write(tmp_path, '[app]\ntimezone = "Europe/Aarhus"\n'))


def test_secret_key_required_outside_demo_and_tests():
    with pytest.raises(ConfigError, match="'app.secret_key'"):
        load_settings(environ={})
    assert load_settings({"demo": True}, environ={}).demo
    assert load_settings(SECRET, environ={}).app.secret_key == "a-long-enough-secret-key"


def test_layers_file_then_environment_then_overrides(tmp_path):
    env = write(tmp_path, '[database]\nurl = "sqlite:///from-file.db"\n[mail]\nhost = "smtp.file"\nport = 2525\n')
    env.update(
        {
            "FUNDTRACK_DATABASE_URL": "sqlite:///from-env.db",
            "FUNDTRACK_MAIL_PORT": "587",
            "FUNDTRACK_SECRET_KEY": "secret-from-the-environment",
        }
    )
    settings = load_settings({"mail": {"host": "smtp.override"}}, environ=env)
    assert settings.database.url == "sqlite:///from-env.db"
    assert settings.mail.port == 587
    assert settings.mail.host == "smtp.override"
    assert settings.app.secret_key == "secret-from-the-environment"


def test_environment_variable_with_unknown_key_names_the_variable():
    with pytest.raises(ConfigError, match="FUNDTRACK_MAIL_HOSTNAME"):
        load_settings({"testing": True}, environ={"FUNDTRACK_MAIL_HOSTNAME": "x"})


def test_environment_value_of_wrong_type_names_the_variable():
    with pytest.raises(ConfigError, match="FUNDTRACK_MAIL_PORT"):
        load_settings({"testing": True}, environ={"FUNDTRACK_MAIL_PORT": "twenty-five"})


def test_settings_are_frozen():
    settings = load_settings({"testing": True}, environ={})
    with pytest.raises(AttributeError):
        settings.app.secret_key = "changed"


def test_missing_named_config_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not a file"):
        load_settings({"testing": True}, environ={"FUNDTRACK_CONFIG": str(tmp_path / "nope.toml")})


def test_invalid_toml_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings({"testing": True}, environ=write(tmp_path, "[app\n"))


def test_example_config_documents_every_key_and_loads():
    path = ROOT / "config.example.toml"
    example = tomllib.loads(path.read_text(encoding="utf-8"))
    import typing

    for section, cls in SECTIONS.items():
        assert section in example, f"[{section}] missing from config.example.toml"
        assert set(example[section]) == set(typing.get_type_hints(cls)), f"keys of [{section}] differ"
    text = path.read_text(encoding="utf-8")
    for section in example:
        for key in example[section]:
            line_index = next(i for i, line in enumerate(text.splitlines()) if line.startswith(f"{key} ="))
            assert text.splitlines()[line_index - 1].startswith("#"), f"{section}.{key} has no comment above it"
    load_settings(environ={"FUNDTRACK_CONFIG": str(path)})


def test_create_app_refuses_bad_config(tmp_path, monkeypatch):
    from fundtrack import create_app

    monkeypatch.setenv("FUNDTRACK_CONFIG", str(write(tmp_path, '[app]\nsecrett_key = "x"\n')["FUNDTRACK_CONFIG"]))
    with pytest.raises(ConfigError, match="app.secrett_key"):
        create_app({"testing": True})


def test_cli_prints_the_bad_key_without_traceback(tmp_path):
    import subprocess
    import sys

    env = write(tmp_path, '[database]\nurll = "x"\n')
    result = subprocess.run(
        [sys.executable, "-m", "fundtrack", "db", "upgrade"],
        capture_output=True,
        text=True,
        env={**env, "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "database.urll" in result.stderr
    assert "Traceback" not in result.stderr
