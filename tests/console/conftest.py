"""Fixtures of the console tests."""

# The transcripts' local SMTP server (one per session, its inbox emptied for each test):
# offline replies are e-mailed through it.
from tests.transcripts.conftest import _plain_smtp, smtp  # noqa: F401
