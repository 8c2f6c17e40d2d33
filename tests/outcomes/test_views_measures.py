"""The pages of an organisation's own measures: the builder (with and without script), the preview,
publish, retire; and the measure recorded, listed and trended through the ordinary measurement pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.outcomes import services
from kneadwell.outcomes.models import Measurement, OrganisationMeasure, OrganisationMeasureVersion
from kwtest.measures import define
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Calm at bedtime",
    "short_name": "Bedtime",
    "measures": "How settled the child is at bedtime.",
    "population": "Children, parent report",
    "shared_options": "0 = Not at all\n1 = A little\n2 = Very",
    "scoring_method": "sum",
    "direction": "higher_better",
    "bands": "0 to 1: Unsettled\n2 to 4: Settled",
    "licence": "Our own measure; no licence needed.",
    "item_count": "3",
    "item-0-label": "Falls asleep within half an hour",
    "item-0-kind": "options",
    "item-1-label": "Stays in bed",
    "item-1-kind": "options",
    "item-1-reversed": "",
    "item-2-label": "",
}


def admin(http: HttpClient, clinic: Clinic) -> HttpClient:
    http.force_login(clinic.user(Role.ADMIN))
    return http


def test_the_builder_saves_a_draft_and_shows_its_preview(client: HttpClient, clinic: Clinic) -> None:
    http = admin(client, clinic)
    assert http.get(reverse("outcomes:measure_new")).status_code == 200
    answer = http.post(reverse("outcomes:measure_new"), FORM)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    measure = OrganisationMeasure.objects.get(organisation=clinic.org)
    assert answer["Location"] == reverse("outcomes:measure", args=[measure.slug])
    version = OrganisationMeasureVersion.objects.get(measure=measure)
    # The empty third block was left out; both items took the shared answers.
    assert [it["label"] for it in version.definition["items"]] == [
        "Falls asleep within half an hour",
        "Stays in bed",
    ]
    assert version.definition["items"][1]["options"][2] == {"value": 2, "label": "Very"}
    assert version.definition["bands"][1] == {"label": "Settled", "minimum": 2.0, "maximum": 4.0}
    page = http.get(answer["Location"]).content.decode()
    assert "Preview: the entry form" in page
    assert "Falls asleep within half an hour" in page
    assert "Publish version 1" in page


def test_add_an_item_without_script_sends_the_form_back_with_one_more_block(
    client: HttpClient, clinic: Clinic
) -> None:
    http = admin(client, clinic)
    answer = http.post(reverse("outcomes:measure_new"), {**FORM, "add_item": "1"})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert 'name="item-3-label"' in page
    assert 'name="item_count" value="4"' in page
    assert "Falls asleep within half an hour" in page  # what was typed is kept
    assert not OrganisationMeasure.objects.exists()


def test_builder_messages_land_on_the_fields_they_belong_to(client: HttpClient, clinic: Clinic) -> None:
    http = admin(client, clinic)
    bad = {
        **FORM,
        "shared_options": "0 = Not at all\nvery",
        "bands": "0 to 9: Too wide",
        "item-1-kind": "number",
    }
    answer = http.post(reverse("outcomes:measure_new"), bad)
    assert answer.status_code == 200
    form = answer.context["form"]
    assert "shared_options" in form.errors
    assert not OrganisationMeasure.objects.exists()
    answer = http.post(
        reverse("outcomes:measure_new"),
        {**FORM, "bands": "0 to 3: Low\n2 to 4: High", "item-1-kind": "number"},
    )
    form = answer.context["form"]
    assert "bands" in form.errors
    assert "item-1-unit" in form.errors  # a number needs its unit


def test_publish_then_edit_makes_version_2_as_a_draft(client: HttpClient, clinic: Clinic) -> None:
    http = admin(client, clinic)
    measure = define(clinic, publish=False)
    answer = http.post(reverse("outcomes:measure_publish", args=[measure.slug]), {"version": measure.version})
    assert answer.status_code == 302
    measure.refresh_from_db()
    assert measure.published_number == 1
    edit = http.get(reverse("outcomes:measure_edit", args=[measure.slug]))
    form = edit.context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    data["name"] = "Day-to-day check, second edition"
    answer = http.post(reverse("outcomes:measure_edit", args=[measure.slug]), data)
    assert answer.status_code == 302, answer.context["form"].errors if answer.context else answer
    versions = list(OrganisationMeasureVersion.objects.filter(measure=measure).order_by("number"))
    assert [(v.number, v.published_at is not None) for v in versions] == [(1, True), (2, False)]
    assert versions[1].definition["items"] == versions[0].definition["items"]  # the edit kept every item
    assert versions[1].definition["name"] == "Day-to-day check, second edition"


def test_a_stale_publish_says_so_and_publishes_nothing(client: HttpClient, clinic: Clinic) -> None:
    http = admin(client, clinic)
    measure = define(clinic, publish=False)
    answer = http.post(reverse("outcomes:measure_publish", args=[measure.slug]), {"version": 99}, follow=True)
    assert "Someone else saved a change" in answer.content.decode()
    measure.refresh_from_db()
    assert measure.published_number == 0


def test_a_therapist_reads_the_measure_but_is_not_offered_to_change_it(
    client: HttpClient, clinic: Clinic
) -> None:
    measure = define(clinic)
    client.force_login(clinic.user(Role.THERAPIST))
    page = client.get(reverse("outcomes:measure", args=[measure.slug])).content.decode()
    assert "Preview: the entry form" in page
    assert "Edit" not in page
    assert "Retire it" not in page
    assert client.get(reverse("outcomes:measure_edit", args=[measure.slug])).status_code == 403
    assert "Define a measure" not in client.get(reverse("outcomes:measures")).content.decode()


def test_another_organisations_measure_is_not_found(
    client: HttpClient, clinic: Clinic, outsider: Clinic
) -> None:
    theirs = define(outsider)
    http = admin(client, clinic)
    for name in ("outcomes:measure", "outcomes:measure_edit"):
        assert http.get(reverse(name, args=[theirs.slug])).status_code == 404
    for name in ("outcomes:measure_publish", "outcomes:measure_retire"):
        assert http.post(reverse(name, args=[theirs.slug]), {"version": theirs.version}).status_code == 404
    assert clinic.client is not None
    iid = f"org-{outsider.org.pk}-{theirs.slug}"
    for name in ("outcomes:create", "outcomes:trend", "outcomes:trend_chart"):
        assert http.get(reverse(name, args=[clinic.client.pk, iid])).status_code == 404, name


def test_a_therapist_records_it_and_sees_it_in_the_list_and_the_trend(
    client: HttpClient, clinic: Clinic
) -> None:
    assert clinic.client is not None
    measure = define(clinic)
    iid = f"org-{clinic.org.pk}-{measure.slug}"
    client.force_login(clinic.user(Role.THERAPIST))
    choose = client.get(reverse("outcomes:choose", args=[clinic.client.pk])).content.decode()
    assert "Your organisation&#x27;s own measures" in choose or "Your organisation's own measures" in choose
    assert reverse("outcomes:create", args=[clinic.client.pk, iid]) in choose
    taken = timezone.localtime() - dt.timedelta(hours=1)
    answer = client.post(
        reverse("outcomes:create", args=[clinic.client.pk, iid]),
        {
            "taken_at": taken.strftime("%Y-%m-%dT%H:%M"),
            "context": "routine",
            "q1": "3",
            "q2": "2",
            "q3": "1",
            "q4": "4",
        },
    )
    assert answer.status_code == 302, answer.context["form"].errors
    assert answer["Location"] == reverse("outcomes:trend", args=[clinic.client.pk, iid])
    m = Measurement.objects.get(instrument_id=iid)
    assert (m.total, m.instrument_version) == (12, "1")
    trend = client.get(answer["Location"]).content.decode()
    assert "Day-to-day check (made up for tests)" in trend
    assert "12 of 16" in trend
    listing = client.get(reverse("outcomes:list", args=[clinic.client.pk])).content.decode()
    assert "Day-to-day check (made up for tests)" in listing
    detail = client.get(reverse("outcomes:detail", args=[clinic.client.pk, m.pk])).content.decode()
    assert "version 1" in detail
    assert "Plays with other children" in detail


def test_a_retired_measure_is_not_offered_but_its_trend_stays(client: HttpClient, clinic: Clinic) -> None:
    assert clinic.client is not None
    measure = define(clinic)
    iid = f"org-{clinic.org.pk}-{measure.slug}"
    services.measurement_record(
        actor=clinic.actor(Role.THERAPIST),
        client=clinic.client,
        instrument_id=iid,
        answers={"q1": 3, "q2": 2, "q3": 1, "q4": 4},
        taken_at=timezone.localdate(),
    )
    http = admin(client, clinic)
    http.post(reverse("outcomes:measure_retire", args=[measure.slug]), {"version": measure.version})
    choose = http.get(reverse("outcomes:choose", args=[clinic.client.pk])).content.decode()
    assert iid not in choose
    assert http.get(reverse("outcomes:trend", args=[clinic.client.pk, iid])).status_code == 200
    assert "retired" in http.get(reverse("outcomes:measure", args=[measure.slug])).content.decode()
