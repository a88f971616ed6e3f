"""Chats API: a chat's messages, sent as its end user or an agent, and read back."""

from typing import Any

from flask.views import MethodView

from chatwidget.api.chats import CHAT, blp
from chatwidget.api.chats_auth import apps_api
from chatwidget.core import chat_messages, chats
from chatwidget.patches.prepared import reading
from chatwidget.schemas import chat_messages as s
from chatwidget.schemas.common import ErrorSchema


@blp.route(CHAT + "/message")
class ChatMessage(MethodView):
    @apps_api(blp)
    @blp.arguments(s.PostMessageSchema)
    @blp.response(200, s.EmptySchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such chat")
    def post(self, args: dict[str, Any], chat_id: int) -> dict[str, Any]:
        """Send a message in a live chat, from its end user or an agent in it"""
        message = args["message"]
        with reading():  # the message itself is stored by the group commit when served
            chat = chats.chat_ref(chat_id)
        chat_messages.do_post_message(
            chat, args["from_user_id"], message["type"], message["content"]
        )
        return {}


@blp.route(CHAT + "/messages")
class ChatMessages(MethodView):
    @apps_api(blp)
    @blp.arguments(s.MessagesQuerySchema, location="query")
    @blp.response(200, s.ListedMessageSchema(many=True))
    @blp.alt_response(404, schema=ErrorSchema, description="No such chat")
    def get(self, args: dict[str, Any], chat_id: int) -> list[chat_messages.ChatMessageView]:
        """A chat's messages in order (after after_id): no activities, no whispers"""
        return chat_messages.messages_of(chats.get_chat(chat_id), args["after_id"])
