"""The app refuses to start on a patched library at another version than its patch's."""

import os

import pytest

from chatwidget import ROOT, patches
from chatwidget.patches import PatchVersionError
from tests.conftest import make_app


def test_the_pinned_versions_are_the_ones_installed():
    patches.check_versions()  # the environment the tests run in is requirements.txt's
    assert patches.mismatches() == []


def test_the_patch_versions_are_the_pinned_ones():
    with open(os.path.join(ROOT, "requirements.txt")) as fh:
        pinned = dict(line.strip().split("==") for line in fh if "==" in line)
    for wanted in patches.VERSIONS.values():
        for distribution, version in wanted.items():
            assert pinned[distribution] == version


def test_another_version_refuses_to_start_naming_library_and_versions(monkeypatch, tmp_path):
    real = patches.installed_version
    bumped = {"python-socketio": "5.19.0"}
    monkeypatch.setattr(patches, "installed_version", lambda d: bumped.get(d) or real(d))
    with pytest.raises(PatchVersionError) as refused:
        make_app(tmp_path)
    message = str(refused.value)
    assert message.startswith("refusing to start: ")
    assert (
        "chatwidget.patches.socketio_acks was written for python-socketio 5.18.1, "
        "but python-socketio 5.19.0 is installed" in message
    )
    assert "CHATWIDGET_PATCHES_OFF" in message


def test_a_library_missing_is_named(monkeypatch):
    real = patches.installed_version
    monkeypatch.setattr(
        patches, "installed_version", lambda d: None if d == "SQLAlchemy" else real(d)
    )
    with pytest.raises(PatchVersionError, match="written for SQLAlchemy 2.1.9, but none is"):
        patches.check_versions()


def test_a_patch_left_out_is_not_checked(monkeypatch):
    monkeypatch.setattr(patches, "installed_version", lambda d: "0.0")
    monkeypatch.setattr(patches, "DISABLED", patches._disabled("all"))
    patches.check_versions()
    monkeypatch.setattr(patches, "DISABLED", patches._disabled("prepared, websocket"))
    refused = {patch for patch, _, _, _ in patches.mismatches()}
    assert refused == set(patches.VERSIONS) - {"prepared", "websocket"}
    assert not patches.enabled("prepared") and patches.enabled("socketio_acks")
