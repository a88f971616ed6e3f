"""Every request example of seed 001, with real values filled in, answered in the shape the
seed documents: one test per example, in the seed's order. The behaviour behind each call
is tested in the neighbouring files; here, that an integrator's code written against the
vendor's document gets what that document shows."""

import time

import jwt
import pytest

from tests.chats.helpers import BASE, integrator
from tests.chats.test_chats import CHAT_KEYS
from tests.chats.test_escalations import escalate
from tests.chats.test_media import MP4, uploaded
from tests.chats.test_messages import assigned_chat
from tests.media.helpers import jpeg, png

ESCALATION = {"id", "chat_id", "status"}
MEDIA = {"url", "media_id"}
FORM_KEYS = {"key", "success_action_status", "Content-Type", "policy"}
FLAGS = {"verified_customer", "bad_actor", "repeat_customer"}


class Integrator:
    """A chat assigned to an agent, and the calls of the seed against it."""

    def __init__(self, app, client):
        self.app, self.client = app, client
        self.headers = integrator(app)
        self.chat, self.agent_id, self.agent = assigned_chat(app, client, self.headers)
        self.url = "%s/chats/%d" % (BASE, self.chat["id"])

    def call(self, method, path="", body=None):
        kwargs = {"json": body} if body is not None else {}
        response = self.client.open(self.url + path, method=method, headers=self.headers, **kwargs)
        return response.status_code, response.get_json()

    def escalation_id(self):
        return escalate(self.client, self.headers, self.chat["id"], reason="other")[1]["id"]

    def keys(self, kind):
        return [
            uploaded(self.client, self.headers, self.chat["id"], d, kind) for d in (png(), jpeg())
        ]


@pytest.fixture
def crm(app, client):
    made = Integrator(app, client)
    yield made
    made.agent.disconnect(namespace="/agent")


def test_aggiornare_una_chat(crm):
    body = {
        "finished_by_user_id": crm.agent_id,
        "chat": {"deflection_channel": "keep_waiting", "status": "finished",
                 "escalation_id": crm.escalation_id()},
    }  # fmt: skip
    status, answer = crm.call("PATCH", body=body)
    assert status == 200 and set(answer) == CHAT_KEYS and answer["status"] == "finished"


def test_inviare_un_messaggio_in_una_chat(crm):
    body = {"from_user_id": crm.agent_id, "message": {"type": "text", "content": "Buongiorno!"}}
    assert crm.call("POST", "/message", body) == (200, {})


def test_riassegnare_la_chat_dell_agente_virtuale(crm):
    status, answer = crm.call("POST", "/escalations", {"reason": "by_end_user_ask",
                                                       "force_escalate": True})  # fmt: skip
    assert status == 200 and set(answer) == ESCALATION and answer["chat_id"] == crm.chat["id"]


def test_aggiornamento_della_riassegnazione(crm):
    path = "/escalations/%d" % crm.escalation_id()
    status, answer = crm.call("PATCH", path, {"deflection_channel": "email"})
    assert status == 200 and set(answer) == ESCALATION and answer["status"] == "deflected"


def test_aggiungere_la_foto_caricata_alla_chat(crm):
    photos = [{"s3_path": key, "photo_type": "receipt"} for key in crm.keys("photos")]
    status, answer = crm.call("POST", "/photos", {"photo": photos})
    assert status == 200 and set(answer) == MEDIA and isinstance(answer["media_id"], int)


def test_recuperare_tutte_le_foto_dalla_chat(crm):
    crm.call("POST", "/photos", {"photo": [{"s3_path": k} for k in crm.keys("photos")]})
    status, answer = crm.call("GET", "/photos")
    assert status == 200 and [set(p) for p in answer] == [MEDIA, MEDIA]


@pytest.mark.parametrize("kind", ["photos", "videos"])
def test_recuperare_l_url_di_caricamento_pre_firmato(crm, kind):
    status, answer = crm.call("POST", "/%s/upload" % kind)
    assert status == 200 and set(answer) == {"url", "fields"}
    assert FORM_KEYS <= set(answer["fields"]) and "x-amz-signature" in answer["fields"]


def test_aggiungere_il_video_caricato_alla_chat(crm):
    key = uploaded(crm.client, crm.headers, crm.chat["id"], MP4, "videos")
    # the seed's example body for videos is the photo list
    status, answer = crm.call("POST", "/videos", {"photo": [{"s3_path": key, "photo_type": "x"}]})
    assert status == 200 and set(answer) == MEDIA
    status, listed = crm.call("GET", "/videos")
    assert status == 200 and [m["media_id"] for m in listed] == [answer["media_id"]]


def test_creare_una_chat(crm):
    body = {
        "chat": {"menu_id": crm.chat["menus"][0]["id"], "end_user_id": crm.chat["end_user"]["id"],
                 "lang": "it", "email": "anna@example.com",
                 "context": {"value": {"foo": "bar", "key": "value"}},
                 "transcript": {"messages": []}},
        "end_user": {"phone": "+39 055 1234567"},
    }  # fmt: skip
    response = crm.client.post(BASE + "/chats", json=body, headers=crm.headers)
    assert response.status_code == 200 and set(response.get_json()) == CHAT_KEYS


def test_restituisce_una_chat_in_base_all_id(crm):
    status, answer = crm.call("GET")
    assert status == 200 and set(answer) == CHAT_KEYS and answer["id"] == crm.chat["id"]


def test_recuperare_gli_attributi_dei_dati_riservati(crm):
    status, answer = crm.call("GET", "/customer_flag")
    assert status == 200 and answer == dict.fromkeys(FLAGS, False)


def test_aggiornare_gli_attributi_dei_dati_riservati(crm):
    body = {"verified_customer": True, "bad_actor": False, "repeat_customers": True}
    status, _ = crm.call("POST", "/customer_flag", body)
    assert status == 200
    got = crm.call("GET", "/customer_flag")[1]
    assert got == {"verified_customer": True, "bad_actor": False, "repeat_customer": True}


def test_inviare_dati_personalizzati_nella_chat(crm):
    data = {
        "reserved_verified_customer": {"label": "LABEL 1", "value": True},
        "field1": {"label": "LABEL 4", "value": "dummy1"},
    }
    assert crm.call("POST", "/custom_data", {"signed": False, "data": data}) == (
        200, {"message": "accepted"},
    )  # fmt: skip
    now = int(time.time())
    token = jwt.encode(
        {"custom_data": data, "exp": now + 300, "iat": now},
        crm.app.config["COMPANY_SECRET"],
        "HS256",
    )
    assert crm.call("POST", "/custom_data", {"signed": True, "signed_data": token})[0] == 200


@pytest.mark.parametrize("path", ["/end-user", "/end_user"])
def test_aggiornare_l_utente_finale(crm, path):
    body = {"identifier": "crm-4711", "name": "Anna Bianchi", "email": "anna@example.com",
            "phone": "+39 055 7654321"}  # fmt: skip
    assert crm.call("POST", path, body) == (202, {"message": "accepted"})
