"""Workflow, ingest and report errors as HTTP answers: 400 {"detail", "field"}, 403, 404, 409."""
from django.core.exceptions import ObjectDoesNotExist
from rest_framework import status
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
        if isinstance(exc, ObjectDoesNotExist):
            return Response({"detail": "未找到。", "field": None, "code": "not_found"}, status=status.HTTP_404_NOT_FOUND)
        return super().handle_exception(exc)
