"""A real SMTP server on loopback (aiosmtpd) that the tests start, stop and read."""

import email
import email.policy

import pytest
from aiosmtpd.controller import Controller

from tests.servers import free_port


class Inbox:
    """Collects every message the SMTP server accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos[0], message))
        return "250 OK"

    def to(self, address):
        return [m for rcpt, m in self.messages if rcpt == address]

    def subjects(self):
        return sorted((rcpt, str(m["Subject"])) for rcpt, m in self.messages)


class SMTPServer:
    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(make_app, smtp):
    """An app that sends its mail to the test SMTP server."""
    return make_app(
        mail={"host": "127.0.0.1", "port": smtp.port, "sender": "fundtrack@kommune.example.dk", "timeout_seconds": 2.0},
        app={"base_url": "http://fundtrack.kommune.example.dk"},
    )
