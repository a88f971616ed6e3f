"""The chats API (seed 001, CCAI Platform compatible; CONTRACT §3, §7): create, read and
change chats. HTTP Basic with role apps_api on every route.

The other routes of /apps/api/v1 live in the chat_* modules beside this one and add
themselves to this blueprint when imported (see chatwidget.api.register).
"""

from typing import Any

from flask.views import MethodView

from chatwidget.api.chats_auth import apps_api
from chatwidget.api.parser import Blueprint
from chatwidget.core import chat_updates, chat_view, chats
from chatwidget.schemas import chats as s
from chatwidget.schemas.chat_updates import PatchChatSchema
from chatwidget.schemas.common import ErrorSchema

# A chat's id in a path: an INTEGER primary key (larger ones are no route: 404).
CHAT = "/chats/<int(max=2147483647):chat_id>"
blp = Blueprint(
    "chats",
    __name__,
    url_prefix="/apps/api/v1",
    description="Chats API (CCAI Platform compatible): chats, messages, escalations, media",
)


@blp.route("/chats")
class Chats(MethodView):
    @apps_api(blp)
    @blp.arguments(s.CreateChatSchema)
    @blp.response(200, s.ChatSchema)
    def post(self, args: dict[str, Any]) -> chat_view.ChatView:
        """Create a chat in a menu's queue for an end user; it is routed at once"""
        conversation = chats.do_create_chat(args["chat"], args["end_user"])
        return chat_view.chat_view(conversation)


@blp.route(CHAT)
class Chat(MethodView):
    @apps_api(blp)
    @blp.response(200, s.ChatSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such chat")
    def get(self, chat_id: int) -> chat_view.ChatView:
        """A chat (any live or ended conversation) by its integer id"""
        return chat_view.chat_view(chats.get_chat(chat_id))

    @apps_api(blp)
    @blp.arguments(PatchChatSchema)
    @blp.response(200, s.ChatSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such chat")
    def patch(self, args: dict[str, Any], chat_id: int) -> chat_view.ChatView:
        """Finish a chat (status finished) or record the deflection channel chosen"""
        conversation = chats.get_chat(chat_id)
        chat_updates.do_update_chat(conversation, args["finished_by_user_id"], args["chat"])
        return chat_view.chat_view(conversation)
