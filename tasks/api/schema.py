"""OpenAPI post-processing (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]): every operation documents
the error answers every endpoint can give — 400 (bad input, bad page or filter), 401 (no or
expired token), 403 (role, lockout), 404 (not found, another unit's object, a page past the
end), 413 (request too large), 414 (URL too long, from gunicorn itself) and 500 — each a JSON {"detail", "code", "field"} in Chinese, so a
client (and schemathesis) can rely on the shape of any answer."""
from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "中文说明"},
        "code": {"type": "string"},
        "field": {"type": "string", "nullable": True},
        "errors": {},
        "retry_after": {"type": "integer"},
    },
    "required": ["detail"],
}
DESCRIPTIONS = {
    "400": "输入有误（detail 为中文说明，field 为出错字段）",
    "401": "未登录、令牌无效或已过期",
    "403": "无权限，或登录失败次数过多已临时锁定",
    "404": "未找到（或不属于本单位）",
    "405": "不支持该请求方法",
    "406": "不支持所请求的返回格式",
    "409": "该事项已被他人修改（版本号不一致）或重复提交",
    "413": "提交的内容超过大小上限",
    "414": "请求地址过长（Web 服务器直接拒绝，返回 HTML）",
    "415": "不支持的请求格式",
    "500": "服务器内部错误",
}


def add_error_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_SCHEMA)
    ref = {"$ref": "#/components/schemas/Error"}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            codes = ["400", "401", "403", "404", "405", "406", "413", "415", "500"]
            if method != "get":
                codes.append("409")
            for code in codes:
                if code not in responses:
                    responses[code] = {"content": {"application/json": {"schema": ref}}, "description": DESCRIPTIONS[code]}
            # gunicorn refuses a request line over 4 KB itself, before the application sees it
            responses.setdefault("414", {"content": {"text/html": {"schema": {"type": "string"}}},
                                         "description": DESCRIPTIONS["414"]})
    return result
