"""Flask's request, with a chunked body over the size limit refused like any other."""

from typing import IO, cast

from flask import Request as _FlaskRequest
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream


class ChunkedBody(LimitedStream):
    """A body without Content-Length (chunked), read up to max_content_length.

    werkzeug's LimitedStream stops a read-all at the limit and returns what it has, so a
    chunked JSON body over MAX_BODY_MB reached the parser cut short ("Unterminated
    string", 400). Here one more byte is asked for at the limit: if the body goes on, 413.
    """

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        super().__init__(stream, limit, is_max=True)
        self.source = stream

    def readall(self) -> bytes:
        data = super().readall()
        if self.is_exhausted and self.source.read(1):
            raise RequestEntityTooLarge()
        return data


class Request(_FlaskRequest):
    """The app's request class: see ChunkedBody."""

    @cached_property
    def stream(self) -> IO[bytes]:
        """The body, bounded: by Content-Length, or for a chunked one by ChunkedBody."""
        limit = self.max_content_length
        terminated = self.environ.get("wsgi.input_terminated")
        if limit is None or self.content_length is not None or not terminated:
            return super().stream
        if self.shallow:
            raise RuntimeError("this request was created with shallow=True")
        # A LimitedStream is a file-like stream, not an IO subclass: werkzeug casts it the same way.
        return cast(IO[bytes], ChunkedBody(self.environ["wsgi.input"], limit))
