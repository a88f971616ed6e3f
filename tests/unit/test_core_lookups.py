"""Core verbs whose look-ups the strict types made explicit: a row inserted on first use is
read back (never None), a form without a file is refused by the verb itself, and a 503
says when to come back only when it knows."""

import pytest
from sqlalchemy import func, select

from chatwidget.core import attachments, end_users, presigned, queues, transcript_pdfs
from chatwidget.core.errors import InvalidInput, Unavailable
from chatwidget.extensions import db
from chatwidget.models import Conversation, EndUser, Queue


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_default_queue_is_created_on_first_use_then_found(sqlite_app):
    with sqlite_app.app_context():
        first = queues.queue_for_subject(None)
        again = queues.queue_for_subject("no such queue")
        assert first.name == sqlite_app.config["DEFAULT_QUEUE"]
        assert again.id == first.id
        assert _count(Queue) == 1


def test_ensure_queues_cleans_names_and_creates_each_once(sqlite_app):
    with sqlite_app.app_context():
        sales, same, support = queues.ensure_queues(["sales", " sales ", "support"])
        assert (sales.name, support.name) == ("sales", "support")
        assert same.id == sales.id
        assert _count(Queue) == 2
        with pytest.raises(InvalidInput):
            queues.ensure_queues(["  "])


def test_an_end_user_is_created_on_first_use_and_keeps_what_a_later_proof_omits(sqlite_app):
    with sqlite_app.app_context():
        proof = end_users.Identity(identifier="u-1", name="Ann", email="ann@example.test")
        user = end_users.end_user_for(proof)
        db.session.commit()
        later = end_users.end_user_for(end_users.Identity(identifier="u-1", name=None, email=None))
        assert later.id == user.id
        assert (later.name, later.email) == ("Ann", "ann@example.test")
        assert _count(EndUser) == 1


@pytest.mark.parametrize("file", [None, "photo.png", b"bytes"])
def test_uploads_without_a_file_are_refused_by_the_verbs(sqlite_app, file):
    with sqlite_app.app_context():
        with pytest.raises(InvalidInput) as refused:
            presigned.store_policy_upload({"key": "sessions/1/x"}, file)
        assert refused.value.errors == {"file": ["missing"]}
        open_conversation = Conversation(conversation_id="c-1", state="assigned")
        with pytest.raises(InvalidInput) as refused:
            attachments.do_upload(open_conversation, file, "customer")
        assert refused.value.errors == {"file": ["missing"]}


def test_a_busy_renderer_says_when_to_come_back_a_plain_503_does_not():
    assert transcript_pdfs._unavailable("busy").retry_after == transcript_pdfs.RETRY_AFTER_S
    assert Unavailable("down").retry_after is None
