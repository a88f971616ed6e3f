"""Outgoing e-mail through the SMTP server of SMTP_* (CONTRACT §4: transcript e-mails)."""

import logging
import smtplib
import ssl
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import make_msgid

from flask import Config, current_app

from chatwidget.core.errors import Unavailable

log = logging.getLogger(__name__)


def compose(
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Iterable[tuple[str, str, str, bytes]] = (),
) -> EmailMessage:
    """An e-mail from SMTP_FROM: a text part, an HTML alternative, then attachments.

    attachments: (filename, maintype, subtype, bytes) tuples.
    """
    sender = current_app.config["SMTP_FROM"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    for filename, maintype, subtype, data in attachments:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


def _tls_context(config: Config) -> ssl.SSLContext:
    """The system's trust store, or SMTP_CA_FILE for a server signed by a private CA."""
    return ssl.create_default_context(cafile=config["SMTP_CA_FILE"] or None)


def send(message: EmailMessage) -> None:
    """Hand message to the SMTP server; Unavailable (503) when that fails.

    Under gevent the socket is cooperative, so a slow server holds only this request.
    """
    config = current_app.config
    host, port = config["SMTP_HOST"], config["SMTP_PORT"]
    try:
        with smtplib.SMTP(host, port, timeout=config["SMTP_TIMEOUT_S"]) as smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls(context=_tls_context(config))
            if config["SMTP_USER"]:
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("e-mail to %s through %s:%s failed: %s", message["To"], host, port, exc)
        raise Unavailable("the e-mail could not be sent; try again later") from None
