"""POST /api/customer/conversations/<id>/rating (CONTRACT §6): once, only after the end."""

import pytest
from sqlalchemy import select

from chatwidget.extensions import db
from chatwidget.models import Call
from tests.sockets.helpers import init
from tests.widget.helpers import conversation_row, ended


def rate(app, conversation_id, **body):
    url = "/api/customer/conversations/%s/rating" % conversation_id
    return app.test_client().post(url, json=body)


def call_metadata(app, conversation_id):
    with app.app_context():
        return db.session.scalar(select(Call).filter_by(session_id=conversation_id)).call_metadata


def test_a_rating_is_stored_with_the_conversation_and_in_its_calls_metadata(app):
    conversation_id, participant_id = ended(app)
    answer = rate(app, conversation_id, participantId=participant_id, rating=4, comment=" Quick ")
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"conversationId": conversation_id, "rating": 4, "comment": "Quick"}
    row = conversation_row(app, conversation_id)
    assert (row.rating, row.rating_comment) == (4, "Quick") and row.rated_at is not None
    metadata = call_metadata(app, conversation_id)
    assert metadata["CustomerRating"] == "4" and metadata["CustomerComment"] == "Quick"
    assert metadata["conversationId"] == conversation_id  # what the call had is kept


def test_a_rating_without_comment_sets_no_comment(app):
    conversation_id, participant_id = ended(app)
    assert rate(app, conversation_id, participantId=participant_id, rating=5).status_code == 200
    metadata = call_metadata(app, conversation_id)
    assert metadata["CustomerRating"] == "5" and "CustomerComment" not in metadata


def test_an_ongoing_conversation_cannot_be_rated(app):
    conversation_id, participant_id = init(app)
    answer = rate(app, conversation_id, participantId=participant_id, rating=5)
    assert answer.status_code == 409
    assert "not ended" in answer.get_json()["message"]
    assert conversation_row(app, conversation_id).rating is None


def test_a_conversation_is_rated_once(app):
    conversation_id, participant_id = ended(app)
    assert rate(app, conversation_id, participantId=participant_id, rating=2).status_code == 200
    again = rate(app, conversation_id, participantId=participant_id, rating=5, comment="x")
    assert again.status_code == 409
    assert "already been rated" in again.get_json()["message"]
    row = conversation_row(app, conversation_id)
    assert (row.rating, row.rating_comment) == (2, None)
    assert call_metadata(app, conversation_id)["CustomerRating"] == "2"


def test_a_wrong_pair_is_404_and_reveals_nothing(app):
    conversation_id, participant_id = ended(app)
    other_id, other_participant = ended(app)
    answers = [
        rate(app, conversation_id, participantId="guess", rating=5),
        rate(app, conversation_id, participantId=other_participant, rating=5),
        rate(app, "no-such-conversation", participantId=participant_id, rating=5),
    ]
    assert [a.status_code for a in answers] == [404, 404, 404]
    assert answers[0].get_json()["message"].count(participant_id) == 0
    assert conversation_row(app, conversation_id).rating is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": "5"}, "rating"),
        ({"rating": 4.5}, "rating"),
        ({"rating": True}, "rating"),
        ({}, "rating"),
        ({"rating": 5, "comment": "x" * 2001}, "comment"),
        ({"rating": 5, "comment": "nul \u0000 here"}, "comment"),
        ({"rating": 5, "comment": "lone \ud800 surrogate"}, "comment"),
        ({"rating": 5, "comment": 7}, "comment"),
        ({"rating": 5, "participantId": None}, "participantId"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_stores_nothing(sqlite_app, body, field):
    conversation_id, participant_id = ended(sqlite_app)
    answer = rate(sqlite_app, conversation_id, **{"participantId": participant_id, **body})
    assert answer.status_code == 400, answer.get_json()
    assert field in answer.get_json()["errors"]
    assert conversation_row(sqlite_app, conversation_id).rating is None
