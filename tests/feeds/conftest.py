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


TOKENS_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Tokens</title><link>http://HOST/</link><description>x</description><language>da</language>
<item><title>Pulje med jsessionid</title><link>http://HOST/opslag/1;jsessionid=TOKEN?id=1</link>
<description>Frist: 1. marts 2027</description></item>
<item><title>Pulje med session</title><link>http://HOST/opslag/2?session=TOKEN&amp;s=TOKEN</link>
<description>Frist: 2. marts 2027</description></item>
<item><title>Pulje med ukendt token</title><link>http://HOST/opslag/3?id=3&amp;tok=TOKEN</link>
<description>Frist: 3. marts 2027</description></item>
</channel></rss>
"""

# The same call from a fund database (with a guid) and in a newsletter (no guid, tracking in its link), and a
# third source that links elsewhere but names the same funder, title and deadline.
DATABASE_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Fondsdatabasen</title><link>http://HOST/</link><description>x</description>
<item><title>Grønne fællesskaber 2027</title><guid isPermaLink="false">db-77</guid><author>Kornmod Fonden</author>
<link>http://HOST/puljer/77</link><description>Ansøgningsfrist: 1. april 2027 kl. 12.00</description></item>
</channel></rss>
"""
NEWSLETTER_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Nyhedsbrevet</title><link>http://HOST/</link><description>x</description>
<item><title>Nyt fra fondene: grønne fællesskaber</title><link>http://HOST/puljer/77?utm_source=nyhedsbrev&amp;mc_cid=abc</link>
<description>Læs om puljen. Frist 1. april.</description></item>
</channel></rss>
"""
PORTAL_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Portalen</title><link>http://HOST/</link><description>x</description>
<item><title>Grønne Fællesskaber 2027!</title><guid isPermaLink="false">portal-1</guid>
<source url="http://HOST/kornmod.xml">Kornmod Fonden</source>
<link>http://portal.example.dk/p/123</link><description>Deadline: 1 April 2027</description></item>
</channel></rss>
"""
NUMERIC_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Numeric</title><link>http://HOST/</link><description>x</description>LANGUAGE
<item><title>Small grants</title><guid isPermaLink="false">n-1</guid><description>Deadline: 03/04/2027</description></item>
</channel></rss>
"""
TABLE_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Tabeller</title><link>http://HOST/</link><description>x</description><language>da</language>
<item><title>Puljen i tabellen</title><guid isPermaLink="false">t-1</guid><link>http://HOST/puljer/t-1</link><description><![CDATA[
<table><tr><td>Ansøgningsfrist</td><td>15. januar 2027</td></tr>
<tr><td>Projektperiode</td><td>1. marts 2027 – 31. december 2028</td></tr>
<tr><td>Svar senest</td><td>1. april 2027</td></tr></table>
<p><a href="vejledning">Vejledning</a> <img src="x" onerror="alert(1)"><script>alert(2)</script></p>]]></description></item>
</channel></rss>
"""

# Links as some databases write them: relative to the feed's address, in the link and in a permalink guid.
RELATIVE_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Relativt</title><link>/</link><description>x</description>
<item><title>Med link</title><guid isPermaLink="false">r-1</guid><link>/puljer/1?utm_source=rss</link>
<description>Frist: 1. marts 2027</description></item>
<item><title>Med permalink</title><guid>puljer/2</guid><description>Frist: 2. marts 2027</description></item>
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
        if path == "/tokens.xml":
            body = TOKENS_FEED.replace("HOST", host).replace("TOKEN", secrets.token_hex(8))
            return self._send(200, body.encode())
        if path in ("/database.xml", "/newsletter.xml", "/portal.xml", "/table.xml", "/feeds/relative.xml"):
            feeds = {
                "/database.xml": DATABASE_FEED,
                "/newsletter.xml": NEWSLETTER_FEED,
                "/portal.xml": PORTAL_FEED,
                "/feeds/relative.xml": RELATIVE_FEED,
            }
            body = feeds.get(path, TABLE_FEED).replace("HOST", host)
            return self._send(200, body.encode())
        if path in ("/us.xml", "/gb.xml", "/nolang.xml"):
            language = {"/us.xml": "<language>en-us</language>", "/gb.xml": "<language>en-gb</language>"}.get(path, "")
            return self._send(200, NUMERIC_FEED.replace("HOST", host).replace("LANGUAGE", language).encode())
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
