"""The request parser behind every @blp.arguments: 400 (not 422), 415 for non-JSON."""

from flask_smorest import Blueprint as _Blueprint
from flask_smorest import abort
from marshmallow import EXCLUDE
from webargs.core import missing
from webargs.flaskparser import FlaskParser


def _flatten(messages):
    """webargs keys errors by location ({"json": {...}}); callers want the fields."""
    if isinstance(messages, dict) and len(messages) == 1:
        location = next(iter(messages))
        if location in ("json", "form", "query", "querystring", "files"):
            return messages[location]
    return messages


def summarise(errors, prefix=""):
    """A one-line human summary of nested marshmallow errors: `Contacts.0.Type: ...`."""
    parts = []
    if isinstance(errors, dict):
        for key, value in errors.items():
            name = str(key) if key != "_schema" else ""
            path = ".".join(p for p in (prefix, name) if p)
            parts.extend(summarise(value, path))
    elif isinstance(errors, list):
        if all(isinstance(e, str) for e in errors):
            parts.append("%s: %s" % (prefix or "body", " ".join(errors)))
        else:
            for item in errors:
                parts.extend(summarise(item, prefix))
    else:
        parts.append("%s: %s" % (prefix or "body", errors))
    return parts


class Parser(FlaskParser):
    """Answers bad input with the project's 400 envelope and refuses non-JSON bodies."""

    DEFAULT_VALIDATION_STATUS = 400
    # Unknown extra fields are ignored everywhere (CONTRACT: never an error, never a 500).
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        **{loc: EXCLUDE for loc in ("json", "form", "json_or_form", "querystring", "query")},
    }

    def load_json(self, req, schema):
        if req.get_data(cache=True) and not req.is_json:
            abort(415, message="Content-Type must be application/json")
        return super().load_json(req, schema)

    def load_json_or_form(self, req, schema):
        data = super().load_json(req, schema)
        return self.load_form(req, schema) if data is missing else data

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        abort(400, message="The body is not valid JSON: %s" % error)

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        errors = _flatten(error.messages)
        message = "Invalid request: " + "; ".join(summarise(errors))
        abort(error_status_code or 400, message=message, errors=errors)


class Blueprint(_Blueprint):
    """flask-smorest Blueprint using the project's parser."""

    ARGUMENTS_PARSER = Parser()
