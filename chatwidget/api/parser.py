"""The request parser behind every @blp.arguments: 400 (not 422), 415 for non-JSON."""

import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NoReturn, TypeVar

import flask
from flask_smorest import Blueprint as _Blueprint
from flask_smorest import abort as _abort
from marshmallow import EXCLUDE, Schema, ValidationError
from webargs.core import missing
from webargs.flaskparser import FlaskParser

from chatwidget import patches
from chatwidget.patches import smorest_docs
from chatwidget.schemas.common import UNSTORABLE_TEXT, ErrorSchema, summarise
from chatwidget.schemas.common import bad_text as _bad_text

# JSON may escape a NUL or a lone UTF-16 surrogate into a string; neither PostgreSQL
# text nor UTF-8 can hold them. A cheap test on a JSON body before a full walk.
_SUSPECT = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
_BODY_LOCATIONS = ("json", "form", "json_or_form")
# flask-smorest's abort raises (an HTTPException), which its missing types do not say.
abort: Callable[..., NoReturn] = _abort


def invalid(errors: Any, status: int = 400) -> NoReturn:
    """Refuse the request in the project's envelope: "Invalid request: " and each bad
    field's reason, the fields under "errors"."""
    abort(status, message="Invalid request: " + "; ".join(summarise(errors)), errors=errors)


View = TypeVar("View", bound=Callable[..., Any])  # a view, decorated


def _flatten(messages: object) -> object:
    """webargs keys errors by location ({"json": {...}}); callers want the fields."""
    if isinstance(messages, dict) and len(messages) == 1:
        location = next(iter(messages))
        if location in ("json", "form", "json_or_form", "query", "querystring", "files"):
            return messages[location]
    return messages


def _bad_constant(name: str) -> NoReturn:
    """json.loads hook: NaN, Infinity and -Infinity are not JSON."""
    raise ValueError("%s is not a JSON value" % name)


def _finite_float(text: str) -> float:
    """json.loads hook: a number too large for a double (1e999) is refused, not infinite."""
    value = float(text)
    if math.isinf(value):
        raise ValueError("number %s is out of range" % text[:40])
    return value


def parse_json(raw: bytes) -> Any:  # any JSON value
    """Strict JSON: no NaN or Infinity, only numbers a double can hold.

    Raises json.JSONDecodeError for bad syntax (doc "" for an empty body, which
    webargs reads as absent), ValueError or RecursionError for the rest.
    """
    text = raw.decode("utf-8")
    return json.loads(text, parse_constant=_bad_constant, parse_float=_finite_float)


def unstorable(value: object, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Yield the path of every string, or object key, that _bad_text refuses."""
    if isinstance(value, str):
        if _bad_text(value):
            yield path
    elif isinstance(value, Mapping):
        for key in value:
            if _bad_text(str(key)):
                yield path + (str(key),)
            else:
                yield from unstorable(value[key], path + (str(key),))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from unstorable(item, path + (str(index),))


def _nest(paths: Iterable[tuple[str, ...]], message: str) -> dict[str, Any]:
    """Paths → marshmallow-shaped nested errors: {"Metadata": {"k": [message]}}."""
    errors: dict[str, Any] = {}
    for path in paths:
        node = errors
        for part in path[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node[path[-1] if path else "_schema"] = [message]
    return errors


def _json_body(req: flask.Request) -> Any:
    """The JSON body by parse_json, missing when there is none (or it is not JSON); what
    is not valid JSON, or what JSON syntax allows but parse_json refuses, is a 400."""
    if not req.is_json:
        return missing
    reason: object
    try:
        return parse_json(req.get_data(cache=True))
    except json.JSONDecodeError as exc:
        if exc.doc == "":  # an empty body: no JSON given
            return missing
        reason = exc
    except UnicodeDecodeError as exc:
        reason = exc
    except (ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else exc
    abort(400, message="The body is not valid JSON: %s" % reason)


class Parser(FlaskParser):
    """Answers bad input with the project's 400 envelope and refuses non-JSON bodies."""

    DEFAULT_VALIDATION_STATUS = 400
    # Unknown extra fields are ignored everywhere (CONTRACT: never an error, never a 500).
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        **{loc: EXCLUDE for loc in ("json", "form", "json_or_form", "querystring", "query")},
    }

    def load_json(self, req: flask.Request, schema: Schema) -> Any:
        """The JSON body; a body that is not JSON is a 415, invalid JSON a 400."""
        if req.get_data(cache=True) and not req.is_json:
            abort(415, message="Content-Type must be application/json")
        return _json_body(req)

    def load_json_or_form(self, req: flask.Request, schema: Schema) -> Any:
        """The JSON body, else the form (the seed's /Token clients send a form)."""
        data = _json_body(req)
        return self.load_form(req, schema) if data is missing else data

    def pre_load(
        self, location_data: Any, *, schema: Schema, req: flask.Request, location: str
    ) -> Any:
        """The loaded location, refused with 400 if a string cannot be stored."""
        if location == "json" and not _SUSPECT.search(req.get_data()):
            return location_data
        bad = list(unstorable(location_data))
        if bad:
            invalid(_nest(bad, UNSTORABLE_TEXT))
        return location_data

    def handle_error(
        self,
        error: ValidationError,
        req: flask.Request,
        schema: Schema,
        *,
        error_status_code: int | None,
        error_headers: Mapping[str, str] | None,
    ) -> NoReturn:
        invalid(_flatten(error.messages), error_status_code or 400)


def _documenting(decorator: Callable[[View], View]) -> Callable[[View], View]:
    """decorator, or its documentation alone while the smorest_docs patch is in force."""
    return smorest_docs.documenting(decorator) if patches.enabled("smorest_docs") else decorator


class Blueprint(_Blueprint):
    """flask-smorest Blueprint using the project's parser."""

    ARGUMENTS_PARSER = Parser()
    # /Token reads JSON or a form; the seed's clients send the form.
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **_Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "json_or_form": "application/x-www-form-urlencoded",
    }

    def alt_response(self, status_code: int, *args: Any, **kwargs: Any) -> Callable[[View], View]:
        """As flask-smorest's; documentation only, no wrapper around the view, while the
        smorest_docs patch is in force (chatwidget.patches.smorest_docs)."""
        decorator = super().alt_response(status_code, *args, **kwargs)
        return _documenting(decorator)

    @staticmethod
    def doc(**kwargs: Any) -> Callable[[View], View]:
        """As flask-smorest's, documenting only (see alt_response)."""
        return _documenting(_Blueprint.doc(**kwargs))

    def arguments(
        self, schema: type[Schema] | Schema, *, location: str = "json", **kwargs: Any
    ) -> Callable[[View], View]:
        """As flask-smorest's; a body's route also documents 413 (and 415 for JSON).

        A schema class is made into its instance once, here: webargs would build one on
        every request, which costs more than loading (a schema keeps no state between
        loads)."""
        if isinstance(schema, type) and issubclass(schema, Schema):
            schema = schema()
        decorator = super().arguments(schema, location=location, **kwargs)
        if location not in _BODY_LOCATIONS:
            return decorator

        def documented(func: View) -> View:
            func = self.alt_response(413, schema=ErrorSchema, description="Body too large")(
                decorator(func)
            )
            if location != "json":
                return func
            return self.alt_response(415, schema=ErrorSchema, description="Body not JSON")(func)

        return documented

    def rate_limited(self) -> Callable[[View], View]:
        """Decorator documenting the 429 of RATE_LIMIT, with its Retry-After header."""
        retry_after = {"description": "Seconds to wait", "schema": {"type": "integer"}}
        return self.alt_response(
            429,
            schema=ErrorSchema,
            description="Rate limit exceeded",
            headers={"Retry-After": retry_after},
        )
