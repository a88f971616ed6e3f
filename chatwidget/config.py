"""Configuration from the environment (CONTRACT §1)."""

import json
import os
import secrets
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

from chatwidget import jsoncodec


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() not in ("0", "false", "no", "off")


def _env_list(name: str, default: Iterable[str]) -> list[str]:
    """A comma-separated setting as a list; unset or blank gives the default."""
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or list(default)


# What customers and agents may attach unless ALLOWED_MEDIA_TYPES says otherwise: types a
# browser shows or plays inline, none that runs script (no HTML, no SVG).
ALLOWED_MEDIA_TYPES = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "video/mp4",
    "video/quicktime",
    "video/webm",
    "audio/mpeg",
    "audio/mp4",
    "audio/ogg",
    "audio/x-wav",
    "text/plain",
)


def from_environment() -> dict[str, Any]:
    """Every setting the operator can give through the environment, with defaults."""
    host = os.environ.get("HOST", "127.0.0.1")
    port = _env_int("PORT", 5000)
    public_url = os.environ.get("PUBLIC_URL", "http://%s:%s" % (host, port)).rstrip("/")
    return {
        "HOST": host,
        "PORT": port,
        "PUBLIC_URL": public_url,
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        "COMPANY_SECRET": os.environ.get("COMPANY_SECRET", ""),
        "MAX_BODY_MB": _env_float("MAX_BODY_MB", 16),
        # The longest chat message text a socket may send (characters).
        "MAX_MESSAGE_CHARS": _env_int("MAX_MESSAGE_CHARS", 5000),
        "RATE_LIMIT": os.environ.get("RATE_LIMIT", "50/second"),
        # The chats API's own limit per API user (core/chats_limit.py), the vendor's 10/s.
        "CHATS_RATE_LIMIT": os.environ.get("CHATS_RATE_LIMIT", "10/second"),
        # Failed agent sign-ins (core/signin.py), per e-mail and per client address.
        "SIGNIN_LIMIT_PER_EMAIL": os.environ.get("SIGNIN_LIMIT_PER_EMAIL", "5/minute"),
        "SIGNIN_LIMIT_PER_ADDRESS": os.environ.get("SIGNIN_LIMIT_PER_ADDRESS", "20/minute"),
        # Reverse proxies in front whose X-Forwarded-For/-Proto/-Host are trusted (ProxyFix);
        # 0: none, and a client's own X-Forwarded-For is ignored.
        "PROXY_HOPS": _env_int("PROXY_HOPS", 0),
        "DEFAULT_QUEUE": os.environ.get("DEFAULT_QUEUE", "general"),
        # Sites that may embed the widget (chatwidget.cors): comma-separated origins, or *.
        "WIDGET_ORIGINS": _env_list("WIDGET_ORIGINS", ["*"]),
        "TOKEN_TTL_S": _env_int("TOKEN_TTL_S", 1799),
        "SHARE_TTL_S": _env_int("SHARE_TTL_S", 8 * 3600),
        # One line per request on stderr; ACCESS_LOG=0 turns it off (benchmarks, busy sites).
        "ACCESS_LOG": _env_bool("ACCESS_LOG", True),
        # SQLite durability: FULL syncs the WAL at each commit, so an acknowledged chat or
        # message survives a power cut too; group commit makes one fsync serve a batch.
        "SQLITE_SYNCHRONOUS": os.environ.get("SQLITE_SYNCHRONOUS", "FULL").upper(),
        # How long the group commit of chat messages waits for more messages to share a
        # commit (SQLite); each commit is a WAL write and an fsync.
        "GROUP_COMMIT_DELAY_MS": _env_float("GROUP_COMMIT_DELAY_MS", 2),
        # SQLite's own checkpoint threshold (pages); a served process sets 0 and
        # checkpoints from a thread every SQLITE_CHECKPOINT_INTERVAL_S instead.
        "SQLITE_AUTOCHECKPOINT": 1000,
        "SQLITE_CHECKPOINT_INTERVAL_S": _env_float("SQLITE_CHECKPOINT_INTERVAL_S", 0.2),
        "WEBHOOK_MAX_ATTEMPTS": _env_int("WEBHOOK_MAX_ATTEMPTS", 12),
        "WEBHOOK_BACKOFF_BASE_S": _env_float("WEBHOOK_BACKOFF_BASE_S", 2.0),
        "WEBHOOK_BACKOFF_MAX_S": _env_float("WEBHOOK_BACKOFF_MAX_S", 3600.0),
        "WEBHOOK_TIMEOUT_S": _env_float("WEBHOOK_TIMEOUT_S", 10.0),
        "WEBHOOK_LEASE_S": _env_float("WEBHOOK_LEASE_S", 60.0),
        "WEBHOOK_POLL_S": _env_float("WEBHOOK_POLL_S", 1.0),
        # After rotate-webhook-secret, how long the old secret still signs (secondary=).
        "WEBHOOK_ROTATION_S": _env_float("WEBHOOK_ROTATION_S", 86400.0),
        # How stale this process's knowledge of which events have webhooks may be.
        "WEBHOOK_EVENTS_CACHE_S": _env_float("WEBHOOK_EVENTS_CACHE_S", 1.0),
        # Calls to a queue's virtual agent (CONTRACT §7), from the same outbox: each end-user
        # message's call waits VIRTUAL_AGENT_TIMEOUT_S for the whole answer; a failed call is
        # tried VIRTUAL_AGENT_MAX_ATTEMPTS times in all, backing off like webhooks but within
        # seconds (a customer is waiting), then the chat is escalated to humans (va_failed).
        "VIRTUAL_AGENT_TIMEOUT_S": _env_float("VIRTUAL_AGENT_TIMEOUT_S", 5.0),
        "VIRTUAL_AGENT_MAX_ATTEMPTS": _env_int("VIRTUAL_AGENT_MAX_ATTEMPTS", 3),
        "VIRTUAL_AGENT_BACKOFF_BASE_S": _env_float("VIRTUAL_AGENT_BACKOFF_BASE_S", 1.0),
        "VIRTUAL_AGENT_BACKOFF_MAX_S": _env_float("VIRTUAL_AGENT_BACKOFF_MAX_S", 4.0),
        # Separate deployments (or test runs) that share one Redis.
        "SOCKETIO_CHANNEL": os.environ.get("SOCKETIO_CHANNEL", "chatwidget"),
        # Engine.IO heartbeat: a client silent for interval + timeout is disconnected.
        "SOCKETIO_PING_INTERVAL_S": _env_float("SOCKETIO_PING_INTERVAL_S", 25),
        "SOCKETIO_PING_TIMEOUT_S": _env_float("SOCKETIO_PING_TIMEOUT_S", 20),
        # Per socket, for sendMessage (chatwidget.sockets.throttle): a token bucket refilled
        # at this rate (Flask-Limiter syntax) holding up to SOCKET_RATE_BURST messages.
        "SOCKET_RATE_LIMIT": os.environ.get("SOCKET_RATE_LIMIT", "10/second"),
        "SOCKET_RATE_BURST": _env_int("SOCKET_RATE_BURST", 20),
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", "chatwidget"),
        "AGENT_TOKEN_TTL_S": _env_int("AGENT_TOKEN_TTL_S", 8 * 3600),
        # A console sign-in lasts this long (core/console_sessions.py), then asks again.
        "CONSOLE_SESSION_TTL_S": _env_int("CONSOLE_SESSION_TTL_S", 12 * 3600),
        "AGENT_GRACE_S": _env_float("AGENT_GRACE_S", 60),
        "SCHEDULER_INTERVAL_S": _env_float("SCHEDULER_INTERVAL_S", 2),
        "PROCESS_STALE_S": _env_float("PROCESS_STALE_S", 15),
        "INACTIVITY_TIMEOUT_S": _env_float("INACTIVITY_TIMEOUT_S", 1800),
        "QUEUE_TIMEOUT_S": _env_float("QUEUE_TIMEOUT_S", 600),
        # Transcript e-mails (core/mailer.py); STARTTLS only when asked, the CA file for a
        # private CA. A signed transcript link lives TRANSCRIPT_LINK_TTL_S (7 days).
        "SMTP_HOST": os.environ.get("SMTP_HOST", "localhost"),
        "SMTP_PORT": _env_int("SMTP_PORT", 25),
        "SMTP_USER": os.environ.get("SMTP_USER", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_FROM": os.environ.get("SMTP_FROM", "chatwidget@localhost"),
        "SMTP_STARTTLS": _env_bool("SMTP_STARTTLS", False),
        "SMTP_CA_FILE": os.environ.get("SMTP_CA_FILE", ""),
        "SMTP_TIMEOUT_S": _env_float("SMTP_TIMEOUT_S", 10.0),
        "TRANSCRIPT_LINK_TTL_S": _env_int("TRANSCRIPT_LINK_TTL_S", 7 * 24 * 3600),
        # Transcript PDFs render in child processes (xhtml2pdf holds a CPU for seconds), at
        # most TRANSCRIPT_WORKERS at once per server process; more asks are 503.
        "TRANSCRIPT_WORKERS": _env_int("TRANSCRIPT_WORKERS", 2),
        "TRANSCRIPT_RENDER_TIMEOUT_S": _env_float("TRANSCRIPT_RENDER_TIMEOUT_S", 120),
        # Attachments (README "Attachments and media"): a relative MEDIA_DIR is under instance/.
        "MEDIA_DIR": os.environ.get("MEDIA_DIR", "media"),
        "MAX_UPLOAD_MB": _env_float("MAX_UPLOAD_MB", 10),
        "ALLOWED_MEDIA_TYPES": _env_list("ALLOWED_MEDIA_TYPES", ALLOWED_MEDIA_TYPES),
        "MEDIA_URL_TTL_S": _env_int("MEDIA_URL_TTL_S", 3600),
        "UPLOAD_POLICY_TTL_S": _env_int("UPLOAD_POLICY_TTL_S", 900),
        "SQLALCHEMY_ENGINE_OPTIONS": {"json_serializer": jsoncodec.dumps},
        # Connections kept open per process, and how many more a burst may open: every
        # concurrent request holds one, and a connection opened past the pool is closed again
        # after its request (for SQLite that is its pragmas and functions every time).
        "DATABASE_POOL_SIZE": _env_int("DATABASE_POOL_SIZE", 20),
        "DATABASE_MAX_OVERFLOW": _env_int("DATABASE_MAX_OVERFLOW", 20),
        # The console's session cookie: not readable by scripts, not sent with other sites'
        # requests, HTTPS-only when served over HTTPS. Its CSRF tokens last as long as the
        # sign-in: an agent's console stays open all day.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": public_url.startswith("https:"),
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_TIME_LIMIT": None,
    }


def load_secrets(instance_path: str, config: MutableMapping[str, Any]) -> None:
    """Fill SECRET_KEY and COMPANY_SECRET from instance/secrets.json, creating it once.

    Generated, never hard-coded: a fresh install gets its own keys, kept across restarts
    so that issued tokens and signed links stay valid.
    """
    path = os.path.join(instance_path, "secrets.json")
    stored = {}
    if os.path.exists(path):
        with open(path) as fh:
            stored = json.load(fh)
    changed = False
    for name in ("SECRET_KEY", "COMPANY_SECRET"):
        if config.get(name):
            continue
        if not stored.get(name):
            stored[name] = secrets.token_urlsafe(48)
            changed = True
        config[name] = stored[name]
    if changed:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(stored, fh)


def pool_options(uri: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """The engine's pool size and overflow, except for an in-memory SQLite database (one
    connection, shared)."""
    if uri.startswith("sqlite") and uri.rstrip("/").endswith((":", ":memory:")):
        return {}
    return {
        "pool_size": config["DATABASE_POOL_SIZE"],
        "max_overflow": config["DATABASE_MAX_OVERFLOW"],
    }


def database_uri(instance_path: str, url: str) -> str:
    """The SQLAlchemy URI: DATABASE_URL, else a SQLite file in instance/."""
    if not url:
        return "sqlite:///" + os.path.join(instance_path, "chatwidget.db")
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        # psycopg 3 is the driver we ship; plain URLs would ask for psycopg2.
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url
