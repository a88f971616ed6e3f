"""The media store interface and its local-files backend.

An S3-compatible backend implements MediaStore with PutObject, GetObject, DeleteObject(s),
generate_presigned_post and generate_presigned_url; the local one speaks the same POST
policy form, so clients of the chats API cannot tell them apart.
"""

import contextlib
import io
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from typing import IO, TypedDict
from urllib.parse import quote, urlencode

from chatwidget.core.errors import InvalidInput, TooLarge
from chatwidget.media import signing

# Segments start with a letter or digit: no "..", no hidden names, no absolute paths.
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}(?:/[A-Za-z0-9][A-Za-z0-9._-]{0,127}){0,7}")
INCOMING = ".incoming"  # unfinished uploads; never addressable by a key


class PresignedPost(TypedDict):
    """An S3 POST-policy form: where to post it, and the fields it must carry."""

    url: str
    fields: dict[str, str]


class InvalidKey(ValueError):
    """A key that could escape the store or name something that is not an object."""


def check_key(key: object) -> str:
    """key if it is a valid object key, else InvalidKey."""
    if not isinstance(key, str) or len(key) > 512 or not _KEY.fullmatch(key):
        raise InvalidKey("invalid media key")
    return key


class MediaStore:
    """What the media verbs need from a backend. Keys are "a/b/c" paths (check_key)."""

    def put(self, key: str, data: bytes | IO[bytes], content_type: str | None) -> None:
        """Store bytes or a readable binary stream under key, all or nothing."""
        raise NotImplementedError

    def open(self, key: str) -> IO[bytes]:
        """A readable, seekable binary file of the object; FileNotFoundError if none."""
        raise NotImplementedError

    def delete(self, key: str) -> None:
        """Remove the object; a missing one is not an error."""
        raise NotImplementedError

    def delete_prefix(self, prefix: str) -> None:
        """Remove every object whose key starts with prefix (which ends with "/")."""
        raise NotImplementedError

    def presign_post(
        self,
        key: str,
        content_type: str | None,
        max_size: int,
        expires_in: float,
        success_action_status: str | None = None,
    ) -> PresignedPost:
        """{"url", "fields"} of an S3 POST-policy form for one upload.

        key ending in "/": any key under it (the form's key is prefix + "${filename}");
        content_type ending in "/": any type under it (the form's Content-Type is that
        prefix, which a client may narrow to the exact type); "": any type.
        success_action_status ("200", "201"): the form asks for that answer, not 204.
        """
        raise NotImplementedError

    def signed_get_url(self, key: str, expires_in: float, content_type: str | None = None) -> str:
        """A URL that serves the object (as content_type) until expires_in seconds pass."""
        raise NotImplementedError


class LocalMediaStore(MediaStore):
    """Files under root; links and upload forms point at PUBLIC_URL/media/…."""

    def __init__(
        self, root: str, secret: str, public_url: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.root = os.path.realpath(root)
        self.secret = secret
        self.public_url = public_url.rstrip("/")
        self.clock = clock

    def path(self, key: str) -> str:
        """The file of a key, refused if it would resolve outside root (symlinks too)."""
        path = os.path.realpath(os.path.join(self.root, *check_key(key).split("/")))
        if not path.startswith(self.root + os.sep):
            raise InvalidKey("invalid media key")
        return path

    def put(self, key: str, data: bytes | IO[bytes], content_type: str | None) -> None:
        path = self.path(key)
        incoming = os.path.join(self.root, INCOMING)
        os.makedirs(incoming, exist_ok=True)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        stream = io.BytesIO(data) if isinstance(data, bytes) else data
        stream.seek(0)
        fd, partial = tempfile.mkstemp(dir=incoming)
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(stream, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, path)  # atomic: readers see the whole file or none
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
            raise
        finally:
            stream.seek(0)

    def open(self, key: str) -> IO[bytes]:
        return open(self.path(key), "rb")  # noqa: SIM115 (the caller closes it)

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError, InvalidKey):
            os.unlink(self.path(key))

    def delete_prefix(self, prefix: str) -> None:
        if not prefix.endswith("/"):
            raise InvalidKey("a prefix ends with /")
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(self.path(prefix[:-1]))

    def presign_post(
        self,
        key: str,
        content_type: str | None,
        max_size: int,
        expires_in: float,
        success_action_status: str | None = None,
    ) -> PresignedPost:
        fields = {"key": key}
        conditions: list[object]
        if key.endswith("/"):
            check_key(key[:-1])
            conditions = [["starts-with", "$key", key]]
            fields["key"] = key + "${filename}"
        else:
            conditions = [{"key": check_key(key)}]
        conditions.append(["content-length-range", 1, int(max_size)])
        if content_type and not content_type.endswith("/"):
            conditions.append({"Content-Type": content_type})
        else:
            conditions.append(["starts-with", "$Content-Type", content_type or ""])
        if content_type:
            fields["Content-Type"] = content_type
        signed = {"success_action_status": success_action_status} if success_action_status else {}
        signed.update(self._credential())
        # Every field the form carries is a condition: changing any one voids the form.
        conditions += [{name: value} for name, value in signed.items()]
        fields.update(signed)
        policy = signing.encode_policy(self.clock() + expires_in, conditions)
        fields["policy"] = policy
        fields["x-amz-signature"] = signing.sign_policy(self.secret, policy)
        return {"url": self.public_url + "/media/upload", "fields": fields}

    def _credential(self) -> dict[str, str]:
        """The x-amz-* fields S3 forms carry: algorithm, credential scope and date."""
        date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(self.clock()))
        return {
            "x-amz-algorithm": signing.ALGORITHM,
            "x-amz-credential": "chatwidget/%s/local/s3/aws4_request" % date[:8],
            "x-amz-date": date,
        }

    def signed_get_url(self, key: str, expires_in: float, content_type: str | None = None) -> str:
        expires = str(int(self.clock() + expires_in))
        query = {"expires": expires}
        if content_type:
            query["type"] = content_type
        query["signature"] = signing.sign_link(self.secret, key, expires, content_type)
        return "%s/media/%s?%s" % (self.public_url, quote(key), urlencode(query))

    def check_signed_get(
        self, key: str, expires: object, signature: object, content_type: str | None
    ) -> str:
        """The file a signed link serves; Forbidden when tampered or expired."""
        signing.check_link(self.secret, key, expires, signature, content_type, self.clock())
        return self.path(key)

    def check_post(self, fields: Mapping[str, str], size: int) -> str:
        """Check an upload form against its policy; returns the key to store at.

        fields: the form's fields, names lower-cased. Signature, expiry and every
        condition are checked; the size against the policy's content-length-range.
        Raises Forbidden, TooLarge or InvalidInput (a size under the range's minimum).
        """
        conditions = signing.open_policy(
            self.secret, fields.get("policy"), fields.get("x-amz-signature"), self.clock()
        )
        low, high = signing.check_conditions(conditions, fields) or (0, size)
        if size > high:
            raise TooLarge("the file is larger than the upload policy allows (%d bytes)" % high)
        if size < low:
            raise InvalidInput("the file is smaller than the upload policy allows (%d bytes)" % low)
        return check_key(fields["key"])
