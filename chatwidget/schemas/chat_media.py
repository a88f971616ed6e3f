"""Wire formats of a chat's photos and videos (seed 001; CONTRACT §3): pre-signed upload
forms, media added by s3_path, and the signed links listed."""

from typing import Any

from marshmallow import ValidationError, fields, post_load, pre_load, validate, validates_schema

from chatwidget.schemas.common import Request, SafeString

MAX_ITEMS = 20  # files one call adds


class MediaPathSchema(Request):
    """Where an upload was stored: the `key` field of its pre-signed form."""

    s3_path = SafeString(512, metadata={"description": "The upload form's key"})
    gcs_path = SafeString(512, metadata={"description": "Same as s3_path (one store)"})

    @validates_schema
    def _one_path(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not (data.get("s3_path") or data.get("gcs_path")):
            raise ValidationError("Missing data for required field.", "s3_path")

    @post_load
    def _key(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        key = data.get("s3_path") or data["gcs_path"]
        return {"s3_path": key, "photo_type": data.get("photo_type")}


class PhotoItemSchema(MediaPathSchema):
    """One uploaded photo."""

    photo_type = SafeString(64, allow_none=True, metadata={"description": "Your label for it"})


class _Items(fields.List):
    """A list of items, or one item alone (as a JSON object)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return super()._deserialize(
            [value] if isinstance(value, dict) else value, attr, data, **kwargs
        )


def _items(required: bool) -> fields.List:
    return _Items(
        fields.Nested(PhotoItemSchema),
        required=required,
        validate=validate.Length(min=1, max=MAX_ITEMS),
        metadata={"description": "Uploaded photos (at most %d)" % MAX_ITEMS},
    )


class AddPhotosSchema(Request):
    """`{"photo": [{"s3_path", "photo_type"}, …]}`: photos uploaded with the form of
    POST …/photos/upload, each by its key."""

    photo = _items(required=True)

    @post_load
    def _as_items(self, data: dict[str, Any], **kwargs: Any) -> list[dict[str, Any]]:
        return list(data["photo"])


class AddVideosSchema(Request):
    """`{"video": {"s3_path"|"gcs_path"}}`, or the seed example's `{"photo": [{"s3_path"}, …]}`:
    videos uploaded with the form of POST …/videos/upload."""

    video = fields.Nested(MediaPathSchema)
    photo = _items(required=False)

    @pre_load
    def _video_or_photo(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict) and "video" not in data and "photo" not in data:
            raise ValidationError("Missing data for required field.", "video")
        return data

    @post_load
    def _as_items(self, data: dict[str, Any], **kwargs: Any) -> list[dict[str, Any]]:
        return [data["video"]] if "video" in data else list(data["photo"])


class ChatMediaSchema(Request):
    """A chat's photo or video: a signed link that expires, and its id."""

    url = fields.String(required=True, metadata={"description": "Signed; expires"})
    media_id = fields.Integer(required=True)


class UploadFormSchema(Request):
    """An S3 POST-policy form: POST its fields and then the file (`file`) to `url`, as
    multipart/form-data, fields as given. Content-Type is the family the form takes
    (image/ or video/); a client may narrow it to the file's exact type. The upload
    answers 201 `{"key"}`: that key is the `s3_path` for POST …/photos or …/videos."""

    url = fields.String(required=True)
    fields_ = fields.Dict(
        data_key="fields",
        attribute="fields",
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={
            "description": "key, Content-Type, success_action_status, x-amz-algorithm, "
            "x-amz-credential, x-amz-date, policy, x-amz-signature"
        },
    )
