"""Request parameters from the three encodings QuantConnect clients send.

The LEAN CLI uses a query string for GET, JSON for most POSTs and form data with PHP-style
bracket keys (``files[0][name]``) for ``projects/update``; views read one plain structure.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


class BadRequest(ValueError):
    """The body could not be read (malformed JSON or bracket keys)."""


def request_params(request: HttpRequest) -> dict[str, Any]:
    """The request's parameters: query string, then the body (JSON or form) on top."""
    params: dict[str, Any] = unflatten(request.GET.lists())
    if request.method == "POST":
        if request.content_type == "application/json":
            try:
                body = json.loads(request.body or b"{}")
            except ValueError as error:
                raise BadRequest(f"malformed JSON: {error}") from error
            if not isinstance(body, dict):
                raise BadRequest("the JSON body must be an object")
            params.update(body)
        else:
            params.update(unflatten(request.POST.lists()))
    return params


def unflatten(items: Any) -> dict[str, Any]:
    """``[("a[0][b]", ["x"])]`` -> ``{"a": [{"b": "x"}]}``; numeric keys become lists."""
    root: dict[str, Any] = {}
    for key, values in items:
        match = _KEY.match(key)
        if match is None:
            raise BadRequest(f"malformed parameter name {key!r}")
        parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        node = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if part == "":  # "libraries[]": append
                part = str(len(node))
            if last:
                node[part] = values[-1] if len(values) == 1 or not key.endswith("[]") else values
            else:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    raise BadRequest(f"parameter {key!r} conflicts with a plain value")
                node = child
    return _lists(root)


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        converted = {key: _lists(item) for key, item in value.items()}
        if converted and all(key.isdigit() for key in converted):
            return [converted[key] for key in sorted(converted, key=int)]
        return converted
    return value
