"""Feed ingestion benchmark: local feeds served over loopback, against feedparser alone on the same bytes."""

from __future__ import annotations

import html
import io
import multiprocessing
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import feedparser

from fundtrack.config import FeedSettings
from fundtrack.db import db
from fundtrack.feeds import services
from fundtrack.feeds.models import Call, CallDeadline, CallMatch, CallSource, FeedSource

SUMMARY = "Støtte til socialøkonomiske virksomheder, cirkulær økonomi og lokale fællesskaber."
PHRASES = [
    "Ansøgningsfrist: {d}. marts 2027 kl. 12.00",
    "Deadline: {d} April 2027",
    "Frist: {d:02d}.09.2027",
    "Closing date: {d} October 2027 4:00pm UK time",
    "Ansøgningsfrist: løbende",
    "Kontakt sekretariatet.",
    "<table><tr><td>Ansøgningsfrist</td><td>{d}. januar 2027</td></tr>"
    "<tr><td>Projektperiode</td><td>1. marts 2027 – 28. februar 2029</td></tr></table>",
    "<ul><li>Frist: kl. 12.00 den {d}. februar 2027</li><li>Forventet svar: juni 2027</li></ul>",
]


def make_feed(number: int, entries: int) -> bytes:
    items = []
    for i in range(entries):
        phrase = PHRASES[i % len(PHRASES)].format(d=i % 28 + 1)
        items.append(
            f"<item><title>Pulje {number}-{i}: genbrug og fællesskab</title>"
            f"<link>https://fonde{number}.example.dk/opslag/{i}?utm_source=rss</link>"
            f'<guid isPermaLink="false">f{number}-{i}</guid><pubDate>Mon, 02 Nov 2026 08:00:00 +0100</pubDate>'
            f"<description>{html.escape(f'<p>{SUMMARY} {phrase}</p>', quote=False)}</description></item>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Database {number}</title>'
        f"<link>https://fonde{number}.example.dk/</link><description>x</description>{''.join(items)}</channel></rss>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        body = self.server.feeds[self.path]
        etag = f'"{hash(body)}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _best_of(fn, rounds: int = 3, setup=None) -> float:
    """The fastest of a few rounds, in milliseconds: the figure least disturbed by the rest of the machine."""
    times = []
    for _ in range(rounds):
        if setup:
            setup()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def _forget_calls() -> None:
    """Start a round as from scratch: no calls, and no validators that would make the server answer 304."""
    for model in (CallMatch, CallDeadline, CallSource, Call):
        model.delete().execute()
    FeedSource.update(etag="", last_modified="").execute()


def _serve(feeds: dict, ports) -> None:
    """The fund databases, in a process of their own (as on another machine): no share of our interpreter lock."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.feeds = feeds
    ports.put(server.server_address[1])
    server.serve_forever()


def _parser_peak(body: bytes, url: str) -> int:
    """feedparser's own peak of traced memory on the same bytes: the floor any ingestion stands on."""
    tracemalloc.start()
    feedparser.parse(io.BytesIO(body), response_headers={"content-type": "application/rss+xml", "content-location": url})
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def run(now) -> tuple[list[tuple], tuple[float, float, float]]:
    """Rows of (name, fundtrack ms, baseline ms), and (feed MB, peak MB, feedparser's peak MB) for one large feed."""
    feeds = {f"/feed{n}.xml": make_feed(n, 500) for n in range(20)}
    feeds["/big.xml"] = make_feed(99, 26_000)  # about 10 MB
    ports = multiprocessing.get_context("fork").Queue()
    process = multiprocessing.get_context("fork").Process(target=_serve, args=(feeds, ports), daemon=True)
    process.start()
    base = f"http://127.0.0.1:{ports.get(timeout=30)}"
    settings = FeedSettings(allow_private_networks=True, timeout_seconds=30, max_bytes=20_000_000)
    rows = []
    try:

        def parse_only_once():
            for path, body in list(feeds.items())[:20]:
                # The same call fundtrack makes: with the address, so that relative links resolve.
                feedparser.parse(
                    io.BytesIO(body), response_headers={"content-type": "application/rss+xml", "content-location": base + path}
                )

        parse_only = _best_of(parse_only_once)
        with db.connection_context():
            for path in list(feeds)[:20]:
                services.add_source({"url": base + path}, settings=settings, now=now)

            def ingest_once():
                reports = services.fetch_all(settings, now=now, user_agent="benchmark")
                assert sum(r.new for r in reports) == 10_000 and not any(r.failed for r in reports)

            first = _best_of(ingest_once, setup=_forget_calls)
            start = time.perf_counter()
            again = services.fetch_all(settings, now=now, user_agent="benchmark")
            second = (time.perf_counter() - start) * 1000
            assert all(r.not_modified for r in again)
        rows.append(("feeds: 20 x 500 entries", first, parse_only))
        rows.append(("feeds: same again (304)", second, first))
        # Peak memory while ingesting one 10 MB feed.
        big = feeds["/big.xml"]
        with db.connection_context():
            source = services.add_source({"url": base + "/big.xml"}, settings=settings, now=now)
            tracemalloc.start()
            report = services.fetch_source(source, settings, now=now, user_agent="benchmark")
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            assert not report.failed, report.error
        memory = (len(big) / 1e6, peak / 1e6, _parser_peak(big, base + "/big.xml") / 1e6)
    finally:
        process.terminate()
        process.join(timeout=10)
        with db.connection_context():
            _forget_calls()
            FeedSource.delete().execute()
    return rows, memory
