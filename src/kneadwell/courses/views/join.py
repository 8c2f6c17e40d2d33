"""The course's enrolment link. Someone new enrols with family sign-up's one form (their account, the
baby, consent and the health history, inside the course's organisation); a signed-in parent picks their
baby or adds one. The link's token is its only credential; a finished course or a staff member is told
why nothing can be done here."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kneadwell.accounts import services as account_services
from kneadwell.accounts.actor import Actor, Channel
from kneadwell.accounts.middleware import SESSION_KEY
from kneadwell.accounts.models import User
from kneadwell.accounts.roles import Role
from kneadwell.clients.selectors import client_get
from kneadwell.core.errors import ConsentRequired, DomainError, NotFound, ValidationFailed
from kneadwell.core.web import apply_errors, client_ip
from kneadwell.courses import selectors, services
from kneadwell.courses.forms import EnrolForm, JoinForm
from kneadwell.courses.models import Course, Enrolment


def _welcome(request: HttpRequest, enrolment: Enrolment) -> HttpResponse:
    request.session[SESSION_KEY] = enrolment_membership_id(request, enrolment)
    if enrolment.status == Enrolment.Status.WAITING:
        messages.success(
            request,
            _(
                "%(given_name)s is on the waiting list for %(course_title)s: the course is full. We will "
                "email you if a place comes free."
            )
            % {"given_name": enrolment.client.given_name, "course_title": enrolment.course.title},
        )
    else:
        messages.success(
            request,
            _("Welcome! %(given_name)s is enrolled on %(course_title)s.")
            % {"given_name": enrolment.client.given_name, "course_title": enrolment.course.title},
        )
    return redirect("courses:my_course", enrolment_id=enrolment.pk)


def enrolment_membership_id(request: HttpRequest, enrolment: Enrolment) -> int | None:
    membership = selectors.membership_in(user=cast(User, request.user), course=enrolment.course)
    return getattr(membership, "pk", None)


def _context(course: Course, **extra: Any) -> dict[str, Any]:
    first = selectors.class_list(course=course)
    return {
        "course": course,
        "first": timezone.localtime(first[0].starts_at) if first else None,
        "instructor": course.instructor.full_name or course.instructor.email,
        "age_range": services.age_range_label(course),
        "finished": timezone.localdate() > services.last_class_day(course),
        **extra,
    }


def join(request: HttpRequest, token: str) -> HttpResponse:
    course = selectors.course_by_join_token(token=token)
    if course is None:
        raise Http404(_("This enrolment link does not work (it may have been replaced). Ask the instructor."))
    context = _context(course)
    if context["finished"]:
        return render(request, "courses/join_closed.html", context)
    if request.user.is_authenticated:
        return _signed_in(request, course, context)
    form = JoinForm(request.POST or None, instructor=context["instructor"])
    throttled = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.family_join(
                course=course,
                full_name=data["full_name"],
                email=data["email"],
                password=data["password"],
                baby_given_name=data["baby_given_name"],
                baby_birth_date=data["baby_birth_date"],
                baby_sex=data["baby_sex"],
                born_early=data["gestation"] == "early",
                gestation_weeks=data["gestation_weeks"],
                gestation_days=data["gestation_days"],
                consent=data["consent"],
                history=form.history_answer(),
                history_required=True,
                share_with_instructor=bool(data.get("share_with_instructor")),
                other_parent=data.get("other_parent") or "",
                ip=client_ip(request),
                base_url=request.build_absolute_uri("/"),
            )
        except account_services.SignupThrottled as exc:
            throttled = exc.message
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            if result is None:
                message = account_services.EXISTING_ACCOUNT_MESSAGE.format(
                    email=data["email"].strip().lower()
                )
                return render(request, "accounts/signup_sent.html", {"message": message})
            login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
            return _welcome(request, result.enrolment)
    return render(
        request,
        "courses/join.html",
        {**context, "form": form, "throttled": throttled},
        status=429 if throttled else 200,
    )


def _signed_in(request: HttpRequest, course: Course, context: dict[str, Any]) -> HttpResponse:
    user = cast(User, request.user)
    membership = selectors.membership_in(user=user, course=course)
    if membership is not None and getattr(membership, "role", "") != Role.CAREGIVER:
        return render(request, "courses/join_staff.html", context)
    babies = selectors.babies_for_join(user=user, course=course) if membership is not None else []
    free = [(pk, name) for pk, name, on_course in babies if not on_course]
    enrol_form = EnrolForm(
        request.POST if request.POST.get("action") == "enrol" else None,
        babies=free,
        instructor=context["instructor"],
    )
    baby_form = JoinForm(
        request.POST if request.POST.get("action") == "new_baby" else None, instructor=context["instructor"]
    )
    error = ""
    if (
        request.method == "POST"
        and request.POST.get("action") == "enrol"
        and membership is not None
        and enrol_form.is_valid()
    ):
        data = enrol_form.cleaned_data
        actor = Actor(user=user, membership=membership, channel=Channel.PAGE, ip=client_ip(request))
        try:
            client = client_get(actor=actor, client_id=data["client"], purpose="enrolled on a course")
        except NotFound:
            client = None
        if client is None:
            enrol_form.add_error("client", _("Choose one of your babies."))
        else:
            try:
                enrolment = services.enrolment_create(
                    actor=actor,
                    course=course,
                    client=client,
                    share_with_instructor=bool(data.get("share_with_instructor")),
                    other_parent=data.get("other_parent") or "",
                )
            except ValidationFailed as exc:
                apply_errors(enrol_form, exc)
            except (ConsentRequired, DomainError) as exc:
                enrol_form.add_error(None, exc.message)
            else:
                return _welcome(request, enrolment)
    if request.method == "POST" and request.POST.get("action") == "new_baby" and baby_form.is_valid():
        data = baby_form.cleaned_data
        try:
            enrolment = services.family_join_signed_in(
                user=user,
                course=course,
                baby_given_name=data["baby_given_name"],
                baby_birth_date=data["baby_birth_date"],
                baby_sex=data["baby_sex"],
                born_early=data["gestation"] == "early",
                gestation_weeks=data["gestation_weeks"],
                gestation_days=data["gestation_days"],
                consent=data["consent"],
                history=baby_form.history_answer(),
                history_required=True,
                share_with_instructor=bool(data.get("share_with_instructor")),
                other_parent=data.get("other_parent") or "",
                ip=client_ip(request),
            )
        except ValidationFailed as exc:
            apply_errors(baby_form, exc)
        except DomainError as exc:
            error = exc.message
        else:
            return _welcome(request, enrolment)
    return render(
        request,
        "courses/join_member.html",
        {
            **context,
            "enrol_form": enrol_form,
            "baby_form": baby_form,
            "free": free,
            "on_course": [name for _pk, name, on in babies if on],
            "error": error,
            "adding": request.POST.get("action") == "new_baby" or not free,
        },
    )
