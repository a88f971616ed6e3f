"""Chats API: PATCH a chat (finish it; the deflection channel of its escalation)."""

from typing import Any

from flask.views import MethodView

from chatwidget.api.chats import blp
from chatwidget.api.chats_auth import apps_api
from chatwidget.core import chat_updates, chat_view, chats
from chatwidget.schemas import chat_updates as s
from chatwidget.schemas.chats import ChatSchema
from chatwidget.schemas.common import ErrorSchema


@blp.route("/chats/<int:chat_id>")
class ChatUpdate(MethodView):
    @apps_api(blp)
    @blp.arguments(s.PatchChatSchema)
    @blp.response(200, ChatSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such chat")
    def patch(self, args: dict[str, Any], chat_id: int) -> chat_view.ChatView:
        """Finish a chat (status finished) or record the deflection channel chosen"""
        conversation = chats.get_chat(chat_id)
        chat_updates.do_update_chat(conversation, args["finished_by_user_id"], args["chat"])
        return chat_view.chat_view(conversation)
