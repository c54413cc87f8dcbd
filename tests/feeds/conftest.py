"""A local HTTP server that serves the feed fixtures, and a few routes that misbehave on purpose."""

import gzip
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"

SESSION_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Tokens</title><link>http://HOST/</link><description>x</description>
<item><title>Pulje med sessioner</title><link>http://HOST/opslag/9?sid=TOKEN&amp;utm_campaign=nov</link>
<description>Deadline: 15 April 2027</description></item>
</channel></rss>
"""

UPDATED_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Opdateringer</title><link>http://HOST/</link><description>x</description>
<item><title>Puljen der flytter frist</title><guid isPermaLink="false">flytter-1</guid><link>http://HOST/opslag/1</link>
<description>Ansøgningsfrist: DEADLINE</description></item>
</channel></rss>
"""


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.deadline_text = "1. marts 2027"
        self.requests: list[str] = []
        self.xxe_path = ""

    def handle_error(self, request, client_address):
        pass  # a client that gives up (timeouts, size caps) is what several tests do on purpose

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status=200, body=b"", content_type="application/rss+xml; charset=utf-8", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - the name http.server looks for
        server: FeedServer = self.server
        server.requests.append(self.path)
        path = self.path.split("?")[0]
        host = f"127.0.0.1:{server.server_address[1]}"
        if path == "/r1":
            return self._send(302, headers={"Location": "/r2"})
        if path == "/r2":
            return self._send(301, headers={"Location": f"{server.base}/rss2.xml"})
        if path == "/loop":
            return self._send(302, headers={"Location": "/loop"})
        if path == "/slow":
            time.sleep(3)
            return self._send(200, (FIXTURES / "rss2.xml").read_bytes())
        if path == "/big":
            return self._send(200, b"<rss>" + b"x" * 200_000 + b"</rss>")
        if path == "/bomb":
            return self._send(200, gzip.compress(b"<rss>" + b" " * 50_000_000), headers={"Content-Encoding": "gzip"})
        if path == "/gzip.xml":
            return self._send(200, gzip.compress((FIXTURES / "rss2.xml").read_bytes()), headers={"Content-Encoding": "gzip"})
        if path == "/etag.xml":
            if self.headers.get("If-None-Match") == '"v1"':
                return self._send(304, headers={"ETag": '"v1"'})
            return self._send(200, (FIXTURES / "rss2.xml").read_bytes(), headers={"ETag": '"v1"'})
        if path == "/session.xml":
            body = SESSION_FEED.replace("HOST", host).replace("TOKEN", secrets.token_hex(8))
            return self._send(200, body.encode())
        if path == "/updated.xml":
            body = UPDATED_FEED.replace("HOST", host).replace("DEADLINE", server.deadline_text)
            return self._send(200, body.encode())
        if path == "/xxe.xml":
            body = (FIXTURES / "xxe.xml").read_bytes().replace(b"SECRET_PATH", server.xxe_path.encode())
            return self._send(200, body)
        file = FIXTURES / path.lstrip("/")
        if path.count("/") == 1 and file.is_file():
            content_type = "text/html; charset=utf-8" if file.suffix == ".html" else "application/rss+xml; charset=utf-8"
            if file.name.startswith("atom"):
                content_type = "application/atom+xml"
            return self._send(200, file.read_bytes(), content_type)
        return self._send(404, b"not here", "text/plain")


@pytest.fixture
def feed_server():
    server = FeedServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
