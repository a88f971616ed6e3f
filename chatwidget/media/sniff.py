"""What a file really is, judged from its bytes (never its name), and image thumbnails."""

import codecs
import io
import logging
from typing import IO

import filetype

log = logging.getLogger(__name__)

HEAD_BYTES = 8192  # as much as filetype's matchers look at
# Names browsers and clients use for the same type, onto the one filetype reports.
ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/apng": "image/png",
    "audio/mp3": "audio/mpeg",
    "audio/wav": "audio/x-wav",
    "audio/wave": "audio/x-wav",
    "audio/vnd.wave": "audio/x-wav",
    "audio/x-m4a": "audio/mp4",
}
TEXT_EXTENSIONS = {"text/plain": "txt", "text/csv": "csv", "text/markdown": "md"}


def normalise(content_type: object) -> str:
    """A content type without parameters, lower case, aliases resolved ("" for none)."""
    if not isinstance(content_type, str):
        return ""
    value = content_type.split(";", 1)[0].strip().lower()
    return ALIASES.get(value, value)


def detect(stream: IO[bytes], declared: str | None = "") -> str | None:
    """The type the bytes of a seekable stream show, or None when nothing fits.

    A declared text/* type holds when the whole file is UTF-8 without NUL (text has no
    magic number); anything else must be recognised by its signature.
    """
    declared = normalise(declared)
    if declared.startswith("text/") and _is_text(stream):
        return declared
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    kind = filetype.guess(head) if head else None
    return normalise(kind.mime) if kind is not None else None


def _is_text(stream: IO[bytes]) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    stream.seek(0)
    try:
        while chunk := stream.read(1 << 16):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)
    return True


def extension(content_type: str) -> str:
    """The usual file name extension of a type ("bin" when unknown)."""
    if content_type in TEXT_EXTENSIONS:
        return TEXT_EXTENSIONS[content_type]
    kind = filetype.get_type(mime=content_type)
    return kind.extension if kind is not None else "bin"


def thumbnail(stream: IO[bytes], max_px: int = 320, max_pixels: int = 50_000_000) -> bytes | None:
    """A JPEG of at most max_px a side, or None when Pillow cannot read the image.

    Huge images (decompression bombs) get none rather than eating the memory.
    """
    from PIL import Image, ImageOps

    stream.seek(0)
    try:
        with Image.open(stream) as image:
            if image.width * image.height > max_pixels:
                return None
            image.draft("RGB", (max_px, max_px))  # JPEG: decode at a fraction of the size
            small = ImageOps.exif_transpose(image)
            small.thumbnail((max_px, max_px))
            if small.mode not in ("RGB", "L"):
                rgba = small.convert("RGBA")
                small = Image.new("RGB", rgba.size, "white")
                small.paste(rgba, mask=rgba.getchannel("A"))
            out = io.BytesIO()
            small.save(out, "JPEG", quality=80)
            return out.getvalue()
    except Exception as exc:  # Pillow raises many types on odd files; no thumbnail then
        log.warning("no thumbnail: %s", exc)
        return None
    finally:
        stream.seek(0)
