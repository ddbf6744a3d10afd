"""Workflow, ingest and report errors as HTTP answers: 400 {"detail", "field"}, 403, 404, 409."""
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from tasks.services.ingest import IngestError
from tasks.services.reports import ReportError
from tasks.services.workflow import ConflictError, ForbiddenError, WorkflowError


class ServiceErrorsMixin:
    """Put on every API view: turns service exceptions into clear Chinese answers."""

    def handle_exception(self, exc):
        if isinstance(exc, ConflictError):
            return Response({"detail": exc.message, "field": exc.field, "code": "conflict"}, status=status.HTTP_409_CONFLICT)
        if isinstance(exc, ForbiddenError) or (isinstance(exc, WorkflowError) and exc.code == "forbidden"):
            return Response({"detail": exc.message, "field": exc.field, "code": "forbidden"}, status=status.HTTP_403_FORBIDDEN)
        if isinstance(exc, WorkflowError):
            return Response({"detail": exc.message, "field": exc.field, "code": exc.code}, status=status.HTTP_400_BAD_REQUEST)
        if isinstance(exc, IngestError):
            code = status.HTTP_409_CONFLICT if exc.code == "duplicate" else status.HTTP_400_BAD_REQUEST
            return Response({"detail": exc.message, "field": None, "code": exc.code}, status=code)
        if isinstance(exc, ReportError):
            return Response({"detail": getattr(exc, "message", None) or str(exc), "field": None, "code": "invalid"},
                            status=status.HTTP_400_BAD_REQUEST)
        if isinstance(exc, ValidationError):
            field, message = _first_error(exc.detail)
            return Response({"detail": message, "field": field, "code": "invalid", "errors": exc.detail},
                            status=status.HTTP_400_BAD_REQUEST)
        if isinstance(exc, (ObjectDoesNotExist, Http404)):
            return Response({"detail": "未找到。", "field": None, "code": "not_found"}, status=status.HTTP_404_NOT_FOUND)
        return super().handle_exception(exc)


def _first_error(detail, field=None):
    """(field path, message) of the first message in a DRF error structure."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = field if key == "non_field_errors" else (f"{field}.{key}" if field else str(key))
            return _first_error(value, name)
    if isinstance(detail, list):
        for i, value in enumerate(detail):
            if value:
                return _first_error(value, field if not isinstance(value, dict) else f"{field}[{i}]" if field else None)
    return field, str(detail) if detail else "输入有误。"
