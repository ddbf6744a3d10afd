"""REST API views: thin. Reads go through tasks.selectors, writes through tasks.services; the
errors of both become 400/403/404/409 answers with a Chinese `detail` (tasks.api.errors).

Visibility is the selectors' (tasks.selectors.tasks.visible_tasks): another unit's task, and
everything hanging from it, is a 404 for an operator.
"""
from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import Person, Unit
from accounts.selectors import operator_unit, user_role
from tasks.api import serializers as s
from tasks.api.authentication import ExpiringTokenAuthentication
from tasks.api.errors import ServiceErrorsMixin
from tasks.files import file_response
from tasks.api.filters import CompletionFilter, DirectiveFilter, ExtensionFilter, ProgressFilter, TaskFilter
from tasks.api.permissions import HasTrackerRole, IsSupervisor, SupervisorOrLeaderRead
from tasks.models import (
    Attachment,
    CompletionRequest,
    Directive,
    ExtensionRequest,
    Meeting,
    ProgressReport,
    ReportFile,
    Speech,
    Task,
)
from tasks.selectors.tasks import task_detail, task_timeline, unit_notices, visible_tasks
from tasks.services import ingest, notices, reports, workflow

ERRORS = {
    400: OpenApiResponse(s.DetailSerializer, description="输入有误（detail 为中文说明，field 为出错字段）"),
    403: OpenApiResponse(s.DetailSerializer, description="无权限"),
    404: OpenApiResponse(s.DetailSerializer, description="未找到（或不属于本单位）"),
}
WRITE_ERRORS = {**ERRORS, 409: OpenApiResponse(s.DetailSerializer, description="该事项已被他人修改（版本号不一致）")}
IF_MATCH = OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
                            description="读取时的版本号（ETag）；与 body 中的 version 二选一")


def version_of(request, data) -> int | str | None:
    """The version the client read: `version` in the body, else the If-Match header."""
    v = data.get("version") if hasattr(data, "get") else None
    if v in (None, ""):
        v = request.headers.get("If-Match") or None
    return v


class Base(ServiceErrorsMixin):
    # token first so that an anonymous request gets 401 with a WWW-Authenticate header
    authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, HasTrackerRole]


def _parse(serializer_class, request, **kw):
    ser = serializer_class(data=request.data, context={"request": request}, **kw)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


# --- tasks -------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="督办事项列表（含红黄绿灯）", responses={200: s.TaskListSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(summary="督办事项详情", responses={200: s.TaskDetailSerializer, **ERRORS}),
)
class TaskViewSet(Base, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.TaskListSerializer
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = TaskFilter
    ordering_fields = ["deadline", "code", "assigned_at", "progress", "days_overdue", "updated_at", "id"]
    ordering = ["deadline", "id"]

    def get_queryset(self):
        return visible_tasks(self.request.user)

    def get_permissions(self):
        if self.action in ("create", "cancel", "reopen", "deadline", "assign"):
            return [IsAuthenticated(), HasTrackerRole(), IsSupervisor()]
        return super().get_permissions()

    def _task(self, pk) -> Task:
        return task_detail(self.request.user, pk)

    def _answer(self, task: Task, code=status.HTTP_200_OK) -> Response:
        task = self._task(task.pk)
        resp = Response(s.TaskDetailSerializer(task, context={"request": self.request}).data, status=code)
        resp["ETag"] = f'"{task.version}"'
        return resp

    def retrieve(self, request, pk=None):
        return self._answer(self._task(pk))

    @extend_schema(summary="交办（新建督办事项）", request=s.TaskCreateSerializer, responses={201: s.TaskDetailSerializer, **ERRORS})
    def create(self, request):
        d = _parse(s.TaskCreateSerializer, request)
        task = workflow.create_task(
            title=d["title"], by=request.user, units=[(u["unit"], u["role"]) for u in d["units"]],
            leaders=d.get("leaders", []), requirement=d["requirement"], deadline=d["deadline"],
            deadline_text=d["deadline_text"], deadline_kind=d["deadline_kind"], target=d["target"],
            recurrence=d["recurrence"], category=d["category"], source=d["source"], meeting=d["meeting"],
            urgency=d["urgency"], start_date=d["start_date"],
        )
        return self._answer(task, status.HTTP_201_CREATED)

    @extend_schema(summary="事项历程（历史记录、进展、申请按时间合并；不分页，为数组）",
                   responses={200: s.TimelineEntrySerializer(many=True), **ERRORS})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        task = self._task(pk)
        return Response(s.TimelineEntrySerializer(task_timeline(task), many=True, context={"request": request}).data)

    @extend_schema(summary="签收", request=s.AcknowledgeSerializer, parameters=[IF_MATCH],
                   responses={200: s.TaskDetailSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        task = self._task(pk)
        d = _parse(s.AcknowledgeSerializer, request)
        workflow.acknowledge(task=task, unit=d.get("unit"), by=request.user, version=version_of(request, request.data))
        return self._answer(task)

    @extend_schema(summary="增加责任单位", request=s.AssignSerializer, parameters=[IF_MATCH],
                   responses={200: s.TaskDetailSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        task = self._task(pk)
        d = _parse(s.AssignSerializer, request)
        workflow.assign_units(task=task, by=request.user, units=[(u["unit"], u["role"]) for u in d["units"]],
                              version=version_of(request, request.data))
        return self._answer(task)

    @extend_schema(summary="撤销事项", request=s.ReasonSerializer, parameters=[IF_MATCH],
                   responses={200: s.TaskDetailSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        task = self._task(pk)
        d = _parse(s.ReasonSerializer, request)
        workflow.cancel_task(task=task, by=request.user, reason=d["reason"], version=version_of(request, request.data))
        return self._answer(task)

    @extend_schema(summary="重新启动事项", request=s.ReasonSerializer, parameters=[IF_MATCH],
                   responses={200: s.TaskDetailSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        task = self._task(pk)
        d = _parse(s.ReasonSerializer, request)
        workflow.reopen_task(task=task, by=request.user, reason=d["reason"], version=version_of(request, request.data))
        return self._answer(task)

    @extend_schema(summary="设置完成时限", request=s.DeadlineSerializer, parameters=[IF_MATCH],
                   responses={200: s.TaskDetailSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def deadline(self, request, pk=None):
        task = self._task(pk)
        d = _parse(s.DeadlineSerializer, request)
        workflow.set_deadline(task=task, by=request.user, deadline=d["deadline"], deadline_text=d["deadline_text"],
                              version=version_of(request, request.data))
        return self._answer(task)


    @extend_schema(summary="领导批示（仅县领导）", request=s.LeaderCommentCreateSerializer,
                   responses={201: s.TaskDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def comments(self, request, pk=None):
        from tasks.services.comments import write_leader_comment

        task = self._task(pk)
        d = _parse(s.LeaderCommentCreateSerializer, request)
        write_leader_comment(task=task, by=request.user, text=d["text"])
        return self._answer(task, status.HTTP_201_CREATED)


# --- progress, extension and completion requests ----------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="进展报告列表", responses={200: s.ProgressReportSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(summary="进展报告详情", responses={200: s.ProgressReportSerializer, **ERRORS}),
)
class ProgressReportViewSet(Base, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ProgressReportSerializer
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = ProgressFilter
    ordering_fields = ["created_at", "percent", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return (ProgressReport.objects.filter(task__in=visible_tasks(self.request.user).values("pk"))
                .select_related("unit").prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id"))))

    @extend_schema(summary="报送进展（multipart，可附佐证材料 files）", request={"multipart/form-data": s.ProgressReportCreateSerializer},
                   parameters=[IF_MATCH], responses={201: s.ProgressReportSerializer, **WRITE_ERRORS})
    def create(self, request):
        d = _parse(s.ProgressReportCreateSerializer, request)
        task = task_detail(request.user, d["task"])
        files = request.FILES.getlist("files") if hasattr(request, "FILES") else []
        report = workflow.report_progress(task=task, unit=d.get("unit"), by=request.user, text=d["text"],
                                          percent=d["percent"], files=files, period=d["period"],
                                          version=version_of(request, request.data))
        report = self.get_queryset().get(pk=report.pk)
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)


class _RequestViewSet(Base, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    model = None
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return self.model.objects.filter(task__in=visible_tasks(self.request.user).values("pk")).select_related("unit", "task")


@extend_schema_view(
    list=extend_schema(summary="延期申请列表", responses={200: s.ExtensionRequestSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(summary="延期申请详情", responses={200: s.ExtensionRequestSerializer, **ERRORS}),
)
class ExtensionRequestViewSet(_RequestViewSet):
    model = ExtensionRequest
    serializer_class = s.ExtensionRequestSerializer
    filterset_class = ExtensionFilter

    @extend_schema(summary="申请延期", request=s.ExtensionCreateSerializer, parameters=[IF_MATCH],
                   responses={201: s.ExtensionRequestSerializer, **WRITE_ERRORS})
    def create(self, request):
        d = _parse(s.ExtensionCreateSerializer, request)
        task = task_detail(request.user, d["task"])
        req = workflow.request_extension(task=task, unit=d.get("unit"), by=request.user, proposed_deadline=d["proposed_deadline"],
                                         reason=d["reason"], version=version_of(request, request.data))
        return Response(self.get_serializer(req).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, approve: bool):
        req = self.get_object()
        d = _parse(s.ReasonSerializer, request)
        req = workflow.decide_extension(request=req, by=request.user, approve=approve, reason=d["reason"],
                                        version=version_of(request, request.data))
        return Response(self.get_serializer(req).data)

    @extend_schema(summary="同意延期", request=s.ReasonSerializer, parameters=[IF_MATCH],
                   responses={200: s.ExtensionRequestSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, True)

    @extend_schema(summary="退回延期申请（须填理由）", request=s.ReasonSerializer, parameters=[IF_MATCH],
                   responses={200: s.ExtensionRequestSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, False)


@extend_schema_view(
    list=extend_schema(summary="办结申请列表", responses={200: s.CompletionRequestSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(summary="办结申请详情", responses={200: s.CompletionRequestSerializer, **ERRORS}),
)
class CompletionRequestViewSet(_RequestViewSet):
    model = CompletionRequest
    serializer_class = s.CompletionRequestSerializer
    filterset_class = CompletionFilter

    @extend_schema(summary="申请办结（主办单位）", request=s.CompletionCreateSerializer, parameters=[IF_MATCH],
                   responses={201: s.CompletionRequestSerializer, **WRITE_ERRORS})
    def create(self, request):
        d = _parse(s.CompletionCreateSerializer, request)
        task = task_detail(request.user, d["task"])
        req = workflow.request_completion(task=task, unit=d.get("unit"), by=request.user, summary=d["summary"],
                                          version=version_of(request, request.data))
        return Response(self.get_serializer(req).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, approve: bool):
        req = self.get_object()
        d = _parse(s.CompletionDecisionSerializer, request)
        req = workflow.decide_completion(request=req, by=request.user, approve=approve, grade=d["grade"], reason=d["reason"],
                                         version=version_of(request, request.data))
        return Response(self.get_serializer(req).data)

    @extend_schema(summary="同意办结（销号，须评定等次）", request=s.CompletionDecisionSerializer, parameters=[IF_MATCH],
                   responses={200: s.CompletionRequestSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, True)

    @extend_schema(summary="退回重办（须填理由）", request=s.CompletionDecisionSerializer, parameters=[IF_MATCH],
                   responses={200: s.CompletionRequestSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, False)


class AttachmentViewSet(Base, viewsets.GenericViewSet):
    serializer_class = s.AttachmentSerializer

    def get_queryset(self):
        return Attachment.objects.filter(report__task__in=visible_tasks(self.request.user).values("pk"))

    @extend_schema(summary="下载佐证材料", responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **ERRORS})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        att = self.get_object()
        return file_response(request, att.file, filename=att.name, content_type=att.content_type or None)


# --- directory ----------------------------------------------------------------------------------

@extend_schema_view(list=extend_schema(summary="责任单位"), retrieve=extend_schema(summary="责任单位详情"))
class UnitViewSet(Base, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.UnitSerializer
    queryset = Unit.objects.all()
    filter_backends = [SearchFilter, OrderingFilter]
    search_fields = ["name", "short_name", "aliases__alias"]
    ordering_fields = ["sort_order", "name", "id"]
    ordering = ["sort_order", "id"]

    def get_queryset(self):
        return Unit.objects.all().distinct() if self.request.query_params.get("search") else Unit.objects.all()


@extend_schema_view(list=extend_schema(summary="人员（领导、联络员）"), retrieve=extend_schema(summary="人员详情"))
class PersonViewSet(Base, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.PersonSerializer
    filter_backends = [SearchFilter, OrderingFilter]
    search_fields = ["name", "title"]
    ordering_fields = ["id", "name"]
    ordering = ["id"]

    def get_queryset(self):
        qs = Person.objects.select_related("unit")
        if user_role(self.request.user) == "operator":
            unit = operator_unit(self.request.user)
            qs = qs.filter(Q(is_leader=True) | Q(unit=unit))
        return qs


@extend_schema_view(list=extend_schema(summary="会议"), retrieve=extend_schema(summary="会议详情"))
class MeetingViewSet(Base, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.MeetingSerializer
    filter_backends = [SearchFilter, OrderingFilter]
    search_fields = ["title", "speaker"]
    ordering_fields = ["date", "id"]
    ordering = ["-date", "-id"]

    def get_queryset(self):
        qs = Meeting.objects.all()
        if user_role(self.request.user) == "operator":
            qs = qs.filter(Exists(visible_tasks(self.request.user).filter(meeting=OuterRef("pk"))))
        return qs


# --- speeches and directives (督查室) ------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="讲话稿列表", responses={200: s.SpeechListSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(summary="讲话稿及抽取的交办语句", responses={200: s.SpeechSerializer, **ERRORS}),
)
class SpeechViewSet(Base, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, HasTrackerRole, SupervisorOrLeaderRead]
    filter_backends = [SearchFilter, OrderingFilter]
    search_fields = ["title", "original_name", "meeting__title"]
    ordering_fields = ["created_at", "id"]
    ordering = ["-id"]

    def get_queryset(self):
        if self.action == "list":
            return Speech.objects.select_related("meeting").annotate(directive_count=Count("directives")).defer("text")
        return Speech.objects.select_related("meeting").prefetch_related(
            Prefetch("directives", queryset=Directive.objects.select_related("task")))

    def get_serializer_class(self):
        return s.SpeechListSerializer if self.action == "list" else s.SpeechSerializer

    @extend_schema(summary="上传讲话稿并抽取交办语句", request={"multipart/form-data": s.SpeechUploadSerializer},
                   responses={201: s.SpeechSerializer, **ERRORS, 409: OpenApiResponse(s.DetailSerializer, description="同一文件已上传过")})
    def create(self, request):
        d = _parse(s.SpeechUploadSerializer, request)
        f = d["file"]
        speech = ingest.ingest_speech(data=f.read(), filename=f.name, meeting=d.get("meeting"),
                                      meeting_title=d.get("meeting_title") or None, meeting_date=d.get("meeting_date"),
                                      speaker=d.get("speaker", ""), by=request.user)
        speech = self.get_queryset().get(pk=speech.pk)
        return Response(s.SpeechSerializer(speech, context={"request": request}).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="交办语句审核队列", responses={200: s.DirectiveSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(summary="交办语句详情", responses={200: s.DirectiveSerializer, **ERRORS}),
)
class DirectiveViewSet(Base, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, HasTrackerRole, SupervisorOrLeaderRead]
    serializer_class = s.DirectiveSerializer
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = DirectiveFilter
    ordering_fields = ["speech", "seq", "confidence", "id"]
    ordering = ["speech_id", "seq"]

    def get_queryset(self):
        return Directive.objects.select_related("task")

    @extend_schema(summary="采纳并交办", request=s.DirectiveAcceptSerializer, responses={201: s.TaskDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        directive = self.get_object()
        d = _parse(s.DirectiveAcceptSerializer, request)
        units = [(u["unit"], u["role"]) for u in d["units"]] if d.get("units") else None
        task = ingest.accept_directive(directive=directive, by=request.user, units=units,
                                       leaders=d.get("leaders"), deadline=d.get("deadline"), title=d.get("title") or None)
        task = task_detail(request.user, task.pk)
        return Response(s.TaskDetailSerializer(task, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="驳回（不作为督办事项）", request=None, responses={200: s.DirectiveSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        directive = ingest.reject_directive(directive=self.get_object(), by=request.user)
        return Response(self.get_serializer(Directive.objects.select_related("task").get(pk=directive.pk)).data)


# --- reports and notices -------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="督查通报文件", responses={200: s.ReportFileSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(summary="督查通报文件详情", responses={200: s.ReportFileSerializer, **ERRORS}),
)
class ReportFileViewSet(Base, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, HasTrackerRole, SupervisorOrLeaderRead]
    serializer_class = s.ReportFileSerializer
    queryset = ReportFile.objects.all()
    filter_backends = [OrderingFilter]
    ordering_fields = ["created_at", "as_of", "id"]
    ordering = ["-created_at", "-id"]

    @extend_schema(summary="下载通报（xlsx）", responses={
        (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY, **ERRORS})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        rf = self.get_object()
        return file_response(request, rf.file, filename=rf.filename,
                             content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    @extend_schema(summary="下载通报文稿（docx）", responses={
        (200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"): OpenApiTypes.BINARY, **ERRORS})
    @action(detail=True, methods=["get"], url_path="download-docx")
    def download_docx(self, request, pk=None):
        rf = self.get_object()
        if not rf.docx:
            raise NotFound("该期通报没有文稿（.docx）。")
        return file_response(request, rf.docx, filename=rf.docx_filename or "督查通报.docx",
                             content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")

    @extend_schema(summary="立即生成督查通报", request=s.ReportGenerateSerializer, responses={201: s.ReportFileSerializer, **ERRORS})
    @action(detail=False, methods=["post"])
    def generate(self, request):
        d = _parse(s.ReportGenerateSerializer, request)
        rf = reports.generate_report(on=d.get("on"), trigger=ReportFile.Trigger.API, by=request.user)
        return Response(self.get_serializer(rf).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="我的站内通知", responses={200: s.NoticeSerializer(many=True), **ERRORS}))
class NoticeViewSet(Base, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.NoticeSerializer
    filter_backends = [OrderingFilter]
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        qs = unit_notices(self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            qs = qs.filter(read_at__isnull=True)
        return qs

    @extend_schema(summary="标为已读", request=None, responses={200: s.NoticeSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notice = notices.mark_read(notice=self.get_object(), by=request.user)
        return Response(self.get_serializer(notice).data)

