"""Chats API: a chat's photos and videos (seed 001; CONTRACT §3). Upload a file with
the pre-signed form of …/upload, then add it by its key (s3_path); lists give signed
links that expire."""

from collections.abc import Callable

from flask.views import MethodView

from chatwidget.api.chats import CHAT, blp
from chatwidget.api.chats_auth import apps_api
from chatwidget.api.parser import View
from chatwidget.core import chat_media, chats
from chatwidget.core.chat_media import MediaItem, MediaLink
from chatwidget.media.store import PresignedPost
from chatwidget.schemas import chat_media as s
from chatwidget.schemas.common import ErrorSchema

ADD_ERRORS = "A bad field; an s3_path of another chat or not of this kind; the chat ended"


def _errors(bad_request: str, not_found: str = "No such chat") -> Callable[[View], View]:
    """Decorator documenting the 400 and 404 answers of a route."""

    def decorator(view: View) -> View:
        view = blp.alt_response(400, schema=ErrorSchema, description=bad_request)(view)
        return blp.alt_response(404, schema=ErrorSchema, description=not_found)(view)

    return decorator


def _add(chat_id: int, kind: str, items: list[MediaItem]) -> MediaLink:
    return chat_media.do_add(chats.get_chat(chat_id), kind, items)


def _list(chat_id: int, kind: str) -> list[MediaLink]:
    return chat_media.media_of(chats.get_chat(chat_id), kind)


def _form(chat_id: int, kind: str) -> PresignedPost:
    return chat_media.presign(chats.get_chat(chat_id), kind)


@blp.route(CHAT + "/photos")
class Photos(MethodView):
    @apps_api(blp)
    @blp.arguments(s.AddPhotosSchema)
    @blp.response(200, s.ChatMediaSchema)
    @_errors(ADD_ERRORS, "No such chat, or nothing uploaded at an s3_path")
    def post(self, items: list[MediaItem], chat_id: int) -> MediaLink:
        """Add uploaded photos to a chat (all or none); answers the last one"""
        return _add(chat_id, "photo", items)

    @apps_api(blp)
    @blp.response(200, s.ChatMediaSchema(many=True))
    @blp.alt_response(404, schema=ErrorSchema, description="No such chat")
    def get(self, chat_id: int) -> list[MediaLink]:
        """Every photo of a chat (also images attached in the conversation), oldest first"""
        return _list(chat_id, "photo")


@blp.route(CHAT + "/videos")
class Videos(MethodView):
    @apps_api(blp)
    @blp.arguments(s.AddVideosSchema)
    @blp.response(200, s.ChatMediaSchema)
    @_errors(ADD_ERRORS, "No such chat, or nothing uploaded at the s3_path")
    def post(self, items: list[MediaItem], chat_id: int) -> MediaLink:
        """Add an uploaded video to a chat; answers the last one when several are given"""
        return _add(chat_id, "video", items)

    @apps_api(blp)
    @blp.response(200, s.ChatMediaSchema(many=True))
    @blp.alt_response(404, schema=ErrorSchema, description="No such chat")
    def get(self, chat_id: int) -> list[MediaLink]:
        """Every video of a chat (also videos attached in the conversation), oldest first"""
        return _list(chat_id, "video")


@blp.route(CHAT + "/photos/upload")
class PhotoUpload(MethodView):
    @apps_api(blp)
    @blp.response(200, s.UploadFormSchema)
    @_errors("Chat is already ended")
    def post(self, chat_id: int) -> PresignedPost:
        """A pre-signed form to upload one photo of a chat (no body needed)"""
        return _form(chat_id, "photo")


@blp.route(CHAT + "/videos/upload")
class VideoUpload(MethodView):
    @apps_api(blp)
    @blp.response(200, s.UploadFormSchema)
    @_errors("Chat is already ended")
    def post(self, chat_id: int) -> PresignedPost:
        """A pre-signed form to upload one video of a chat (no body needed)"""
        return _form(chat_id, "video")
