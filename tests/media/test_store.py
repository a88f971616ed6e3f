"""The local media store on its own: keys stay inside, writes are all or nothing."""

import io
import os

import pytest

from chatwidget.media.store import InvalidKey, LocalMediaStore, check_key


@pytest.mark.parametrize(
    "key",
    ["sessions/abc/1.png", "a", "A-1/b_2/c.3", "sessions/4711/" + "x" * 100],
)
def test_valid_keys(key):
    assert check_key(key) == key


@pytest.mark.parametrize(
    "key",
    [
        "",
        "../secrets.json",
        "a/../../b",
        "/etc/passwd",
        "a//b",
        "a/",
        ".incoming/x",
        "a/.hidden",
        "a\\b",
        "a/b c",
        "a\nb",
        "a/${filename}",
        None,
        "/".join(["a"] * 9),
    ],
)
def test_keys_that_could_escape_or_hide_are_refused(key):
    with pytest.raises(InvalidKey):
        check_key(key)


class Broken(io.BytesIO):
    """A stream that fails half-way, like a client that drops."""

    def read(self, size=-1):
        if self.tell() > 0:
            raise ConnectionResetError("client went away")
        return super().read(10)


def _files(root):
    return [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs]


def test_a_failed_write_leaves_nothing_and_an_old_object_intact(tmp_path):
    store = LocalMediaStore(str(tmp_path / "media"), "secret", "http://x")
    store.put("s/a.bin", b"old bytes", "application/octet-stream")
    with pytest.raises(ConnectionResetError):
        store.put("s/a.bin", Broken(b"new bytes that never arrive"), "application/octet-stream")
    with pytest.raises(ConnectionResetError):
        store.put("s/b.bin", Broken(b"never arrives"), "application/octet-stream")
    assert _files(tmp_path) == [str(tmp_path / "media" / "s" / "a.bin")]
    with store.open("s/a.bin") as fh:
        assert fh.read() == b"old bytes"


def test_a_symlink_out_of_the_store_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    root = tmp_path / "media"
    root.mkdir()
    os.symlink(outside, root / "link")
    store = LocalMediaStore(str(root), "secret", "http://x")
    with pytest.raises(InvalidKey):
        store.open("link/secret.txt")
    store.delete("link/secret.txt")
    assert (outside / "secret.txt").exists()
