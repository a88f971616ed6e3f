"""Chats API: what the integrator tells about the customer of a chat (customer flags,
custom data, the end user). Shown in the console's customer panel."""

from typing import Any

from flask.views import MethodView
from marshmallow import ValidationError

from chatwidget.api.chats import CHAT, blp
from chatwidget.api.chats_auth import apps_api
from chatwidget.api.parser import invalid
from chatwidget.core import chat_customer, chats
from chatwidget.schemas import chat_customer as s
from chatwidget.schemas.common import ErrorSchema, MessageSchema

ACCEPTED = {"message": "accepted"}
_SIGNED = s.SignedCustomDataSchema()


@blp.route(CHAT + "/customer_flag")
class CustomerFlag(MethodView):
    @apps_api(blp)
    @blp.response(200, s.CustomerFlagsSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such chat")
    def get(self, chat_id: int) -> chat_customer.CustomerFlags:
        """The customer flags of a chat (a flag never set is false)"""
        return chat_customer.flags_of(chats.get_chat(chat_id))

    @apps_api(blp)
    @blp.arguments(s.SetCustomerFlagsSchema)
    @blp.response(200, s.CustomerFlagsSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such chat")
    def post(self, args: dict[str, bool], chat_id: int) -> chat_customer.CustomerFlags:
        """Set customer flags of a chat, the others kept; answers all three after.

        `repeat_customers` (the seed's spelling) is `repeat_customer`. Accepted on an
        ended chat too: the flags describe the customer, not the conversation's state."""
        return chat_customer.do_set_flags(chats.get_chat(chat_id), args)


@blp.route(CHAT + "/custom_data")
class CustomData(MethodView):
    @apps_api(blp)
    @blp.arguments(s.CustomDataSchema)
    @blp.response(200, MessageSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such chat")
    def post(self, args: dict[str, Any], chat_id: int) -> dict[str, str]:
        """Add custom data to a chat, plain or signed; answers {"message": "accepted"}.

        Fields merge into the chat's (a field given again replaces its label and value).
        `reserved_verified_customer`, `reserved_bad_actor` and `reserved_repeat_customer`
        set the customer flags from their boolean `value` and are not kept as fields.
        signed_data with a bad signature, another algorithm, no or a passed `exp`, no or a
        future `iat` is 401; nothing is stored from a refused call. Accepted on an
        ended chat too, as customer flags are."""
        conversation = chats.get_chat(chat_id)
        data = args.get("data") or {}
        if args["signed"]:
            data = _signed_fields(args["signed_data"])
        chat_customer.do_add_custom_data(conversation, data)
        return ACCEPTED


def _signed_fields(token: str) -> dict[str, Any]:
    """The custom data fields of a signed_data token, checked as unsigned ones are."""
    payload = {"custom_data": chat_customer.check_signed(token)}
    try:
        fields: dict[str, Any] = _SIGNED.load(payload)["custom_data"]
    except ValidationError as error:
        invalid({"signed_data": error.messages})
    return fields


@blp.route(CHAT + "/end-user")
@blp.route(CHAT + "/end_user", endpoint="ChatEndUserUnderscored")
class ChatEndUser(MethodView):
    @apps_api(blp)
    @blp.arguments(s.SetEndUserSchema)
    @blp.response(202, MessageSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such chat")
    def post(self, args: dict[str, Any], chat_id: int) -> dict[str, str]:
        """Name the end user of a live chat; answers 202 {"message": "accepted"}.

        The chat moves to the end user with this `identifier` if there is one; else its
        own end user takes the identifier when it has none (its other chats follow), or
        a new end user is made. Given name, email and phone update that end user and
        the chat's customer contact (console, captured call). A missing or empty
        identifier is 400 "param is missing or the value is empty: identifier", an
        ended chat 400 "Chat is already ended"."""
        contact = chat_customer.Contact(
            identifier=args["identifier"],
            name=args["name"],
            email=args["email"],
            phone=args["phone"],
        )
        chat_customer.do_set_end_user(chats.get_chat(chat_id), contact)
        return ACCEPTED
