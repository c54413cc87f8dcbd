"""`fundtrack serve --demo` from an empty folder: upgrades, loads the demo, prints address and logins, serves."""

import os
import subprocess
import sys
import time
import urllib.request

from tests.servers import free_port


def test_serve_demo_starts_a_real_server_with_demo_data(tmp_path):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("FUNDTRACK_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "fundtrack", "serve", "--demo", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert process.poll() is None, process.stderr.read()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as response:
            assert "Log ind" in response.read().decode()
            assert response.headers["Server"] != "" and "Werkzeug" not in response.headers.get("Server", "")
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert f"http://localhost:{port}/" in out
    assert "fundraiser@example.dk" in out and "member@example.dk" in out and "viewer@example.dk" in out
    assert "password: demo" in out
    assert (tmp_path / "instance" / "demo.sqlite3").exists()
