"""OpenAPI post-processing: document the error envelope on every operation.

drf-spectacular documents success responses; integrators also need to know what a 400, 401,
403, 404 or 409 looks like. This hook adds those responses, with the shared envelope schema,
to every operation that does not already describe them.
"""

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "Error envelope: `detail` for errors about the whole request, or one key per invalid "
        "field (or `non_field_errors`) with a list of messages."
    ),
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {}},
            {"type": "string"},
            {"type": "object"},
        ]
    },
}

_DESCRIPTIONS = {
    "400": "Invalid input: field errors or a malformed request.",
    "401": "Authentication credentials were not provided or are invalid.",
    "403": "Authenticated, but not allowed to do this.",
    "404": "Not found, or not visible to you.",
    "405": "Method not allowed on this resource.",
    "409": "Conflicts with the current state (e.g. referenced records).",
    "429": "Too many requests; retry later.",
}
# Only operations that take a body can meet a content type they do not parse.
_BODY_DESCRIPTIONS = {
    "413": "The request body is larger than the service accepts (2.5 MiB by default); "
    "nothing was read.",
    "415": "Unsupported media type: send the body as JSON.",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook (see SPECTACULAR_SETTINGS)."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            described = dict(_DESCRIPTIONS)
            if method in {"post", "put", "patch"}:
                described.update(_BODY_DESCRIPTIONS)
            for code, description in described.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
