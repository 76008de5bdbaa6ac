"""The error answers every API operation can give, written into the OpenAPI schema; and that an
empty optional query parameter counts as not given.

drf-spectacular documents only the success of each operation. A client (and the schema fuzzer
in core/tests/test_api_fuzz.py) also needs the refusals: 400 with messages per field for input
that does not validate, 401/403 without a login or the permission, 404 for a record that is not
there or not the caller's (the same answer, see core.scoping.access) and for a stale cursor.
"""

from __future__ import annotations

from typing import Any

ERROR = "Error"
FIELD_ERRORS = "FieldErrors"

_MESSAGES = {"type": "array", "items": {"type": "string"}}

COMPONENTS = {
    ERROR: {
        "type": "object",
        "description": "拒绝的原因。",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    FIELD_ERRORS: {
        "type": "object",
        "description": "按字段列出的错误信息;与单个字段无关的在 detail 或 non_field_errors 下。",
        # A nested serializer answers with an object for its own fields.
        "additionalProperties": {"oneOf": [_MESSAGES, {"type": "object"}, {"type": "string"}]},
    },
}

DESCRIPTIONS = {
    "400": "输入有误",
    "401": "未登录",
    "403": "无权执行",
    "404": "记录不存在或不在管辖范围内",
}


def _response(code: str, component: str) -> dict[str, Any]:
    return {
        "description": DESCRIPTIONS[code],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def _error_codes(operation: dict[str, Any]) -> dict[str, str]:
    parameters = operation.get("parameters", [])
    has_path = any(p.get("in") == "path" for p in parameters)
    has_query = any(p.get("in") == "query" for p in parameters)
    paginated = any(p.get("in") == "query" and p.get("name") == "cursor" for p in parameters)
    has_body = "requestBody" in operation
    anonymous = {} in operation.get("security", [{}])
    codes: dict[str, str] = {}
    if has_body or has_query:
        codes["400"] = FIELD_ERRORS
    if not anonymous:
        codes["401"] = ERROR
    codes["403"] = ERROR
    # A body names other records (a case, a household) that may not be the caller's either.
    if has_path or paginated or has_body:
        codes["404"] = ERROR
    return codes


def _allow_empty_optional_query(operation: dict[str, Any]) -> None:
    # DRF serializers and django-filter read `?stage=` as "stage not given", as an HTML form
    # with its "all" option sends it; say so with OpenAPI's own flag for query parameters.
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "query" and not parameter.get("required"):
            parameter.setdefault("allowEmptyValue", True)


def add_error_responses(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: document the refusals of every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in COMPONENTS.items():
        schemas.setdefault(name, schema)
    for item in result.get("paths", {}).values():
        for operation in item.values():
            _allow_empty_optional_query(operation)
            responses = operation.setdefault("responses", {})
            for code, component in _error_codes(operation).items():
                responses.setdefault(code, _response(code, component))
    return result
