"""Sending e-mail over SMTP (plain, STARTTLS or TLS, with login), as multipart text and HTML."""

from __future__ import annotations

import smtplib
import ssl
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from fundtrack.config import MailSettings


class MailError(Exception):
    """The SMTP server could not be reached or refused the message: worth another try later."""


class PermanentRefusal(MailError):
    """The server refused the recipient for good (a 5xx answer): trying again would not help."""


def message(*, sender: str, to: str, subject: str, text: str, html: str | None = None, attachments=()) -> EmailMessage:
    """A message in plain text and HTML; `attachments` are (filename, mimetype, bytes)."""
    mail = EmailMessage()
    mail["From"] = formataddr(("fundtrack", sender))
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = make_msgid(domain=sender.split("@")[-1] or "fundtrack")
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(text)
    if html:
        mail.add_alternative(html, subtype="html")
    for filename, mimetype, data in attachments:
        maintype, _, subtype = mimetype.partition("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return mail


@contextmanager
def connection(settings: MailSettings):
    """An SMTP session for a batch of messages; any failure is a MailError."""
    try:
        if settings.security == "tls":
            smtp = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout_seconds, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
            if settings.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if settings.username:
            smtp.login(settings.username, settings.password)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"cannot reach the mail server {settings.host}:{settings.port}: {error}") from None
    try:
        yield _Session(smtp)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


class _Session:
    def __init__(self, smtp):
        self.smtp = smtp

    def send(self, mail: EmailMessage) -> None:
        try:
            refused = self.smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as error:
            refused = error.recipients
        except (OSError, smtplib.SMTPException) as error:
            raise MailError(f"the mail server refused the message: {error}") from None
        if refused:
            reasons = "; ".join(f"{address}: {code} {_text(answer)}" for address, (code, answer) in refused.items())
            if all(500 <= code < 600 for code, _answer in refused.values()):
                raise PermanentRefusal(f"the mail server refused {reasons}")
            raise MailError(f"the mail server refused {reasons} (for now)")


def _text(answer) -> str:
    return (answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer))[:300]
