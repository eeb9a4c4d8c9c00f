"""Consultation pages. Every page answers ``?format=json`` with its data (the JSON twin)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from skillnader.errors import InputError
from skillnader.remiss.compile import STATUS_LABELS, export
from skillnader.web.consultation import access, services
from skillnader.web.consultation.forms import (
    RESERVATION_LABELS,
    ConsultationForm,
    MergeCodesForm,
    ResponseForm,
    ReviewForm,
    StatusForm,
    SubmitForm,
    UploadForm,
)
from skillnader.web.consultation.models import (
    Board,
    Consultation,
    Question,
    ResponseVersion,
    Statement,
)
from skillnader.web.consultation.registry import ensure_boards

DOWNLOADS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
}


def _page(request, template: str, context: dict, data: dict, status: int = 200):
    if request.GET.get("format") == "json":
        return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    return render(request, template, context, status=status)


def _consultation_data(c: Consultation) -> dict:
    return {
        "slug": c.slug,
        "title": c.title,
        "sender": c.sender,
        "deadline": c.deadline.isoformat(),
        "status": c.status,
        "questions": [{"id": q.qid, "number": q.number, "text": q.text} for q in c.questions.all()],
        "recipients": [{"id": b.id, "name": b.name} for b in c.recipients.all()],
        "documents": [{"id": d.pk, "title": d.title} for d in c.documents.all()],
    }


def _version_data(v: ResponseVersion | None) -> dict | None:
    if v is None:
        return None
    return {
        "number": v.number,
        "based_on": v.based_on,
        "kind": v.kind,
        "created_at": v.created_at.isoformat(),
        "created_by": v.created_by.get_username() if v.created_by else None,
        "statement": v.statement.original_name if v.statement else None,
        **v.content(),
        "prefill": v.prefill,
    }


# --- consultations ---------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Sign-in for board writers and analysts: any active account (not only staff, unlike the
    admin's sign-in). Failed attempts are counted and locked out by the site's authentication
    backend (django-axes), which sees every attempt made here."""

    template_name = "consultation/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("consultation:index")

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


def logout_view(request):
    """Sign out (POST) and back to the consultations."""
    if request.method == "POST":
        auth_logout(request)
        messages.success(request, _("You are signed out."))
    return redirect("consultation:index")


def create(request):
    """A new consultation with its questions (each with a role) and recipients (analysts)."""
    access.require_analyst(request.user)
    ensure_boards()
    form = ConsultationForm(request.POST or None, auto_id="new_%s")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with transaction.atomic():
            c = Consultation.objects.create(
                slug=d["slug"],
                title=d["title"],
                sender=d["sender"],
                deadline=d["deadline"],
                status=Consultation.Status.SENT if d["send"] else Consultation.Status.DRAFT,
            )
            for n, (text, role) in enumerate(form.questions(), start=1):
                Question.objects.create(consultation=c, qid=f"q{n}", number=n, text=text, role=role)
            c.recipients.set(d["recipients"])
        messages.success(
            request,
            _("The consultation was sent.")
            if d["send"]
            else _("The consultation was saved as a draft."),
        )
        return redirect("consultation:detail", slug=c.slug)
    return _page(
        request,
        "consultation/create.html",
        {
            "form": form,
            "question_rows": [
                (form[f"q{i}_text"], form[f"q{i}_role"]) for i in range(1, form.QUESTIONS + 1)
            ],
        },
        {"errors": form.errors.get_json_data() if form.is_bound else {}},
        status=400 if request.method == "POST" else 200,
    )


def index(request):
    """The consultations the visitor may see."""
    ensure_boards()
    cs = list(access.visible_consultations(request.user))
    mine = access.board_ids(request.user)
    return _page(
        request,
        "consultation/index.html",
        {"consultations": cs, "is_analyst": access.is_analyst(request.user), "mine": mine},
        {"consultations": [_consultation_data(c) for c in cs]},
    )


def boards(request):
    """The registry of boards."""
    ensure_boards()
    bs = list(Board.objects.all())
    return _page(
        request,
        "consultation/boards.html",
        {"boards": bs},
        {
            "boards": [
                {
                    "id": b.id,
                    "name": b.name,
                    "kind": b.kind,
                    "area": b.area,
                    "vintages": b.vintages,
                    "valid_from": b.valid_from.isoformat() if b.valid_from else None,
                    "valid_to": b.valid_to.isoformat() if b.valid_to else None,
                }
                for b in bs
            ]
        },
    )


def detail(request, slug):
    c = access.get_consultation(request.user, slug)
    analyst = access.is_analyst(request.user)
    mine = access.board_ids(request.user) & set(c.recipients.values_list("pk", flat=True))
    responses = c.responses.select_related("board")
    if not analyst:
        responses = responses.filter(submitted_at__isnull=False) if c.is_published else []
    visible = [
        {
            "board": r.board_id,
            "board_name": r.board.name,
            "submitted": r.is_submitted,
            "late": r.late,
        }
        for r in responses
    ]
    return _page(
        request,
        "consultation/detail.html",
        {
            "c": c,
            "is_analyst": analyst,
            "my_boards": Board.objects.filter(pk__in=mine),
            "responses": visible,
            "status_form": StatusForm(initial={"status": c.status}) if analyst else None,
        },
        {**_consultation_data(c), "responses": visible},
    )


def document(request, slug, pk):
    c = access.get_consultation(request.user, slug)
    d = get_object_or_404(c.documents, pk=pk)
    return FileResponse(d.file.open("rb"), as_attachment=True, filename=Path(d.file.name).name)


@require_POST
def set_status(request, slug):
    c = access.get_consultation(request.user, slug)
    access.require_analyst(request.user)
    form = StatusForm(request.POST)
    if form.is_valid():
        c.status = form.cleaned_data["status"]
        c.save(update_fields=["status"])
        messages.success(request, _("The status was changed."))
    return redirect("consultation:detail", slug=slug)


# --- responses -------------------------------------------------------------------------------


def _response_context(request, c, r, form=None, upload_form=None, conflict=None, status=200):
    writable = access.can_write(request.user, r)
    analyst = access.is_analyst(request.user)
    mine = r.board_id in access.board_ids(request.user)
    shown = r.current() if (writable or analyst or mine) else r.published_version()
    content = shown.content() if shown else services.empty_content(c)
    if writable and form is None:
        form = ResponseForm(
            initial=ResponseForm.initial_from(content, r.current_version),
            consultation=c,
            reservations=len(content["reservations"]),
        )
    if writable and upload_form is None:
        upload_form = UploadForm(initial={"base_version": r.current_version}, auto_id="upload_%s")
    questions = [
        {
            "q": q,
            "text": content["answers"].get(q.qid, ""),
            "prefill": (shown.prefill or {}).get(q.qid) if shown else None,
        }
        for q in c.questions.all()
    ]
    statements = (
        [services.expire_stale(s) for s in r.statements.all()]
        if (writable or analyst or mine)
        else []
    )
    context = {
        "c": c,
        "r": r,
        "shown": shown,
        "content": content,
        "questions": questions,
        "form": form,
        "upload_form": upload_form,
        "submit_form": SubmitForm(initial={"base_version": r.current_version}, auto_id="submit_%s")
        if writable and r.current_version
        else None,
        "writable": writable,
        "conflict": conflict,
        "statements": statements,
        "reservation_labels": RESERVATION_LABELS,
        "autosave_seconds": getattr(settings, "REMISS_AUTOSAVE_SECONDS", 20),
        "can_see_versions": analyst or mine,
    }
    data = {
        "consultation": c.slug,
        "board": r.board_id,
        "board_name": r.board.name,
        "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
        "submitted_by": r.submitted_by.get_username()
        if r.submitted_by and (analyst or mine)
        else None,
        "late": r.late,
        "current_version": r.current_version if (writable or analyst or mine) else None,
        "writable": writable,
        "version": _version_data(shown),
        "statements": [
            {
                "id": s.pk,
                "name": s.original_name,
                "status": s.status,
                "progress": s.progress,
                "error": s.error,
                "uploaded_at": s.uploaded_at.isoformat(),
            }
            for s in statements
        ],
    }
    if conflict:
        data["conflict"] = conflict
    return _page(request, "consultation/response.html", context, data, status=status)


def response(request, slug, board):
    """Read a response, or (its board's writers) edit it. POST saves a new version."""
    c = access.get_consultation(request.user, slug)
    r = access.get_response(request.user, c, board, write=request.method == "POST")
    if request.method != "POST":
        return _response_context(request, c, r)
    n_res = sum(1 for k in request.POST if k.startswith("res_") and k.endswith("_group"))
    form = ResponseForm(request.POST, consultation=c, reservations=max(n_res - 1, 0))
    if not form.is_valid():
        return _response_context(request, c, r, form=form, status=400)
    result = services.save_version(
        r, form.content(), user=request.user, based_on=form.cleaned_data["base_version"]
    )
    if result.conflict:
        conflict = {
            "message": _(
                "Someone else saved this response (version %(theirs)s) after you opened it "
                "(version %(yours)s). Your text was kept as version %(kept)s but not saved over "
                "theirs. Compare the two texts below, then save again."
            )
            % {
                "theirs": result.current.number,
                "yours": result.version.based_on,
                "kept": result.version.number,
            },
            "yours": _version_data(result.version),
            "theirs": _version_data(result.current),
        }
        fresh = ResponseForm(
            initial=ResponseForm.initial_from(result.version.content(), result.current.number),
            consultation=c,
            reservations=len(result.version.reservations),
        )
        return _response_context(request, c, r, form=fresh, conflict=conflict, status=409)
    messages.success(request, _("Saved as version %(n)s.") % {"n": result.version.number})
    return redirect("consultation:response", slug=slug, board=board)


@require_POST
def autosave(request, slug, board):
    """The autosave endpoint: the same form, answered with JSON."""
    c = access.get_consultation(request.user, slug)
    r = access.get_response(request.user, c, board, write=True)
    n_res = sum(1 for k in request.POST if k.startswith("res_") and k.endswith("_group"))
    form = ResponseForm(request.POST, consultation=c, reservations=max(n_res - 1, 0))
    if not form.is_valid():
        return JsonResponse({"saved": False, "errors": form.errors.get_json_data()}, status=400)
    result = services.save_version(
        r,
        form.content(),
        user=request.user,
        based_on=form.cleaned_data["base_version"],
        kind=ResponseVersion.Kind.AUTOSAVE,
    )
    if result.conflict:
        return JsonResponse(
            {
                "saved": False,
                "conflict": True,
                "message": _(
                    "Someone else has saved this response meanwhile. Your text was kept as "
                    "version %(kept)s. Reload the page to compare."
                )
                % {"kept": result.version.number},
                "kept_version": result.version.number,
                "current_version": result.current.number,
            },
            status=409,
        )
    return JsonResponse(
        {
            "saved": not result.unchanged,
            "version": result.current.number if result.current else 0,
            "message": _("Saved automatically (version %(n)s).")
            % {"n": result.current.number if result.current else 0},
        }
    )


@require_POST
def upload(request, slug, board):
    c = access.get_consultation(request.user, slug)
    r = access.get_response(request.user, c, board, write=True)
    form = UploadForm(request.POST, request.FILES, auto_id="upload_%s")
    if not form.is_valid():
        return _response_context(request, c, r, upload_form=form, status=400)
    result = services.upload_statement(
        r,
        form.cleaned_data["statement"],
        user=request.user,
        based_on=form.cleaned_data["base_version"],
    )
    if result.pending:
        messages.info(
            request,
            _(
                "The file is large and is being read in the background. This page shows how far "
                "it has come; the answers are pre-filled when it is done."
            ),
        )
        return redirect(
            "consultation:statement-status", slug=slug, board=board, pk=result.statement.pk
        )
    if result.error is not None:
        form.add_error(
            "statement",
            _("The file could not be read: %(reason)s The draft was not changed.")
            % {"reason": result.statement.error},
        )
        form.fields["statement"].widget.attrs.update(
            {
                "aria-invalid": "true",
                "aria-describedby": f"{form['statement'].auto_id}-error "
                f"{form['statement'].auto_id}_helptext",
            }
        )
        return _response_context(request, c, r, upload_form=form, status=422)
    for reason in (result.statement.parsed or {}).get("not_an_answer") or []:
        messages.warning(
            request,
            _("Check the file: %(reason)s. It will not be counted as an answer as it stands.")
            % {"reason": reason},
        )
    detected = (result.statement.parsed or {}).get("detected_board")
    if detected and detected != r.board_id:
        other = Board.objects.filter(pk=detected).first()
        messages.warning(
            request,
            _("Check the file: the statement seems to come from %(other)s, not %(board)s.")
            % {"other": other.name if other else detected, "board": r.board.name},
        )
    if result.save.conflict:
        messages.warning(
            request,
            _(
                "The statement was read, but someone else saved the response meanwhile; the "
                "pre-filled answers were kept as version %(n)s."
            )
            % {"n": result.save.version.number},
        )
    else:
        messages.success(
            request,
            _(
                "The statement was read and the answers pre-filled (version %(n)s). Check them "
                "against the quotes before you submit."
            )
            % {"n": result.save.version.number},
        )
    return redirect("consultation:response", slug=slug, board=board)


@require_POST
def submit(request, slug, board):
    c = access.get_consultation(request.user, slug)
    r = access.get_response(request.user, c, board, write=True)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    try:
        r = services.submit(r, user=request.user, based_on=form.cleaned_data["base_version"])
    except services.SubmitError:
        messages.error(
            request,
            _(
                "The response was not submitted: it has changed since you loaded the page, or "
                "nothing has been saved yet."
            ),
        )
        return redirect("consultation:response", slug=slug, board=board)
    if r.late:
        messages.warning(request, _("Submitted after the deadline; the answer is marked late."))
    else:
        messages.success(request, _("The response was submitted."))
    return redirect("consultation:response", slug=slug, board=board)


def _versions_allowed(request, r):
    if not (access.is_analyst(request.user) or r.board_id in access.board_ids(request.user)):
        raise Http404("no such response")


def versions(request, slug, board):
    """Every saved version of a response (its board's writers and analysts)."""
    c = access.get_consultation(request.user, slug)
    r = access.get_response(request.user, c, board)
    _versions_allowed(request, r)
    vs = list(r.versions.select_related("created_by", "statement"))
    return _page(
        request,
        "consultation/versions.html",
        {"c": c, "r": r, "versions": vs},
        {
            "board": r.board_id,
            "current_version": r.current_version,
            "versions": [_version_data(v) for v in vs],
        },
    )


def version(request, slug, board, number):
    c = access.get_consultation(request.user, slug)
    r = access.get_response(request.user, c, board)
    _versions_allowed(request, r)
    v = get_object_or_404(r.versions, number=number)
    questions = [{"q": q, "text": v.answers.get(q.qid, "")} for q in c.questions.all()]
    return _page(
        request,
        "consultation/version.html",
        {"c": c, "r": r, "v": v, "questions": questions, "reservation_labels": RESERVATION_LABELS},
        {"board": r.board_id, "version": _version_data(v)},
    )


def statement(request, slug, board, pk):
    c = access.get_consultation(request.user, slug)
    r = access.get_response(request.user, c, board)
    if not (access.is_analyst(request.user) or r.board_id in access.board_ids(request.user)):
        # The public gets the statement of a published, submitted answer only.
        published = r.published_version()
        if published is None or published.statement_id != pk:
            raise Http404("no such statement")
    s = get_object_or_404(r.statements, pk=pk)
    if not s.file:
        raise Http404("a refused file is not kept")
    return FileResponse(s.file.open("rb"), as_attachment=True, filename=s.original_name)


STAGE_LABELS = {
    "queued": _lazy("Waiting to be read"),
    "read": _lazy("Reading the file"),
    "structure": _lazy("Finding headings and paragraphs"),
    "questions": _lazy("Matching passages to the questions"),
    "coding": _lazy("Coding challenges"),
    "saving": _lazy("Pre-filling the answers"),
}


def statement_status(request, slug, board, pk):
    """How far the reading of an uploaded statement has come, and its result when done (the
    board's writers and analysts only; ``?format=json`` for the page's own polling)."""
    c = access.get_consultation(request.user, slug)
    r = access.get_response(request.user, c, board)
    if not (access.is_analyst(request.user) or r.board_id in access.board_ids(request.user)):
        raise Http404("no such statement")
    s = services.expire_stale(get_object_or_404(r.statements, pk=pk))
    version = s.versions.filter(kind=ResponseVersion.Kind.UPLOAD).order_by("number").first()
    if version is None:
        version = s.versions.order_by("number").first()
    parsed = s.parsed or {}
    mapping = {m["question"]: m["status"] for m in parsed.get("mapping", [])}
    questions = [
        {"q": q, "status": mapping.get(q.qid), "label": STATUS_LABELS.get(mapping.get(q.qid), "")}
        for q in c.questions.all()
    ]
    done = s.status != Statement.Status.PROCESSING
    data = {
        "id": s.pk,
        "name": s.original_name,
        "status": s.status,
        "done": done,
        "stage": s.stage or None,
        "progress": s.progress,
        "error": s.error or None,
        "version": version.number if version else None,
        "conflict": bool(version and version.kind == ResponseVersion.Kind.CONFLICT),
        "questions": {q["q"].qid: q["status"] for q in questions} if s.parsed else {},
        "not_an_answer": parsed.get("not_an_answer") or [],
    }
    context = {
        "c": c,
        "r": r,
        "s": s,
        "done": done,
        "stage_label": STAGE_LABELS.get(s.stage, ""),
        "version": version,
        "questions": questions,
        "not_an_answer": data["not_an_answer"],
        "refresh_seconds": 2,
    }
    return _page(request, "consultation/statement_status.html", context, data)


# --- analysts ----------------------------------------------------------------------------------


def matrix(request, slug):
    """The completeness matrix (analysts)."""
    c = access.get_consultation(request.user, slug)
    access.require_analyst(request.user)
    rows = services.completeness(c)
    questions = list(c.questions.all())
    for row in rows:
        row["ordered"] = [
            {**row["cells"][q.qid], "label": STATUS_LABELS[row["cells"][q.qid]["status"]]}
            for q in questions
        ]
    return _page(
        request,
        "consultation/matrix.html",
        {"c": c, "rows": rows, "questions": questions},
        {
            "consultation": c.slug,
            "questions": [q.qid for q in questions],
            "rows": [{k: v for k, v in row.items() if k != "ordered"} for row in rows],
        },
    )


def _review_ids(board: str, candidate: str) -> str:
    # One form per candidate on the page: ids must stay unique.
    return f"review-{board}-{candidate}-%s"


def review(request, slug):
    """The queue of candidate additional challenges and the log of decisions (analysts)."""
    c = access.get_consultation(request.user, slug)
    access.require_analyst(request.user)
    book = services.codebook_for(c)
    bound = None
    merge_form = MergeCodesForm(codebook=book)
    if request.method == "POST" and request.POST.get("form") == "merge_codes":
        merge_form = MergeCodesForm(request.POST, codebook=book)
        if merge_form.is_valid():
            try:
                services.merge_codes(
                    c,
                    source=merge_form.cleaned_data["source"],
                    target=merge_form.cleaned_data["target"],
                    user=request.user,
                )
            except InputError as exc:
                merge_form.add_error(None, exc.message)
            else:
                messages.success(request, _("The decision was recorded."))
                return redirect("consultation:review", slug=slug)
    elif request.method == "POST":
        bound = ReviewForm(
            request.POST,
            codebook=book,
            auto_id=_review_ids(request.POST.get("board", ""), request.POST.get("candidate", "")),
        )
        if bound.is_valid():
            d = bound.cleaned_data
            terms = [t.strip() for t in (d.get("terms") or "").split(",") if t.strip()]
            try:
                services.decide(
                    c,
                    board_id=d["board"],
                    candidate_id=d["candidate"],
                    action=d["action"],
                    user=request.user,
                    code=d.get("code") or None,
                    add_term=d.get("add_term") or None,
                    new_code={
                        "code_id": d.get("new_code_id"),
                        "domain": d.get("domain"),
                        "label_sv": d.get("label_sv"),
                        "label_en": d.get("label_en"),
                        "terms": terms,
                    }
                    if d["action"] == "create_code"
                    else None,
                )
            except (InputError, services.ReviewError) as exc:
                bound.add_error(None, getattr(exc, "message", str(exc)))
            else:
                messages.success(request, _("The decision was recorded."))
                return redirect("consultation:review", slug=slug)
    queue = services.review_queue(c)
    for item in queue:
        if bound is not None and (bound.data.get("board"), bound.data.get("candidate")) == (
            item["board"],
            item["candidate"],
        ):
            item["form"] = bound
        else:
            item["form"] = ReviewForm(
                initial={
                    "board": item["board"],
                    "candidate": item["candidate"],
                    "code": (item["codes"] or [""])[0],
                },
                codebook=book,
                auto_id=_review_ids(item["board"], item["candidate"]),
            )
    decisions = list(c.review_decisions.select_related("decided_by", "response__board"))
    data = {
        "codebook_version": book.version,
        "queue": [
            {
                "board": i["board"],
                "candidate": i["candidate"],
                "reason": i["reason"],
                "codes": i["codes"],
                "text": i["text"],
                "quote": i["quote"].as_dict(),
            }
            for i in queue
        ],
        "decisions": [
            {
                "board": d.response.board_id if d.response else None,
                "candidate": d.candidate or None,
                "action": d.action,
                "code": d.code,
                "version_before": d.version_before,
                "version_after": d.version_after,
                "decided_by": d.decided_by.get_username(),
                "decided_at": d.decided_at.isoformat(),
                "details": d.details,
            }
            for d in decisions
        ],
    }
    return _page(
        request,
        "consultation/review.html",
        {
            "c": c,
            "queue": queue,
            "decisions": decisions,
            "codebook": book,
            "merge_form": merge_form,
        },
        data,
        status=400 if request.method == "POST" else 200,
    )


def _compilation_allowed(request, c):
    if not (access.is_analyst(request.user) or c.is_published):
        raise Http404("not found")


def compilation(request, slug):
    """The compilation (analysts; everyone once the consultation is published)."""
    c = access.get_consultation(request.user, slug)
    _compilation_allowed(request, c)
    comp, answers = services.compile_consultation(c)
    extra = []
    for r, _a in answers:
        v = r.published_version()
        if v.decision_differs or v.reservations:
            extra.append(
                {
                    "board": r.board.name,
                    "decision_differs": v.decision_differs,
                    "board_decision": v.board_decision,
                    "reservations": v.reservations,
                }
            )
    data = comp.to_dict()
    data["board_decisions_and_reservations"] = extra
    return _page(
        request,
        "consultation/compilation.html",
        {
            "c": c,
            "comp": comp,
            "domain_rows": [
                (
                    b["name"],
                    [comp.domain_matrix[b["board"]].get(d["domain"], 0) for d in comp.by_domain],
                )
                for b in comp.boards
                if b["board"] in comp.domain_matrix
            ],
            "extra": extra,
            "status_labels": STATUS_LABELS,
            "reservation_labels": RESERVATION_LABELS,
            "lang": get_language(),
        },
        data,
    )


def compilation_download(request, slug, ext):
    c = access.get_consultation(request.user, slug)
    _compilation_allowed(request, c)
    if ext not in DOWNLOADS:
        raise Http404("unknown format")
    comp, _answers = services.compile_consultation(c)
    with tempfile.TemporaryDirectory() as tmp:
        path = export(comp, Path(tmp) / f"remissammanstallning-{c.slug}.{ext}")
        body = path.read_bytes()
    resp = HttpResponse(body, content_type=DOWNLOADS[ext])
    resp["Content-Disposition"] = f'attachment; filename="{path.name}"'
    return resp


def url_for(c: Consultation, board: str) -> str:
    return reverse("consultation:response", kwargs={"slug": c.slug, "board": board})
