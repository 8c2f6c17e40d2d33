"""The clinician version of a report as document sections: the full record for the referring
clinician (see `compose` for the frame and the parent version). Pure: no Django import."""

from __future__ import annotations

from kneadwell.core.marking import gettext as _
from kneadwell.reports import words
from kneadwell.reports.compose import chart, key_values, paragraphs
from kneadwell.reports.document import (
    Badge,
    Block,
    BulletList,
    Claim,
    Claims,
    Column,
    Heading,
    Paragraph,
    Section,
    Span,
    Table,
    Text,
)
from kneadwell.reports.facts import GasPart, GrowthPart, PlanPart, Report, TrendPart
from kneadwell.reports.texts import (
    adherence_facts,
    client_rows,
    consent_state,
    plan_rows,
    rows_note,
    session_groups,
    sessions_note,
    signed_words,
)

TREND_COLUMNS = 5  # series tabled per outcome measure: as many as an A4 page holds; the pages list all


def _sds(value: float | None) -> str:
    return "—" if value is None else words.signed(value)


def _cols(*spec: tuple[str, float] | tuple[str, float, bool]) -> tuple[Column, ...]:
    return tuple(Column(*s) for s in spec)


def clinician_sections(report: Report) -> list[Section]:
    c = report.client
    client: list[Block] = [key_values(client_rows(c)), Heading(_("Consent"), anchor="consent-h")]
    if c.consents:
        client.append(
            Table(
                _cols(
                    (_("Consent"), 30),
                    (_("Covers"), 55),
                    (_("Signed"), 30),
                    (_("Method"), 28),
                    (_("Status"), 25),
                ),
                tuple(
                    (k.kind, "; ".join(k.scopes), signed_words(k), k.method, consent_state(k))
                    for k in c.consents
                ),
            )
        )
    else:
        client.append(Paragraph(_("No consent recorded.")))
    sections = [Section(_("Client"), "client-h", tuple(client))]
    sections += [_plan(p) for p in report.plans]
    sections.append(_sessions(report))
    if report.adverse_events:
        events: Block = Table(
            _cols(
                (_("When"), 24),
                (_("Severity"), 26),
                (_("What happened"), 45),
                (_("Action taken"), 40),
                ("Follow-up", 35),
                (_("Reported by"), 22),
            ),
            tuple(
                (
                    words.moment(e.occurred_at),
                    e.severity_label,
                    (
                        Span(e.what),
                        Span(_(" (session %(session_id)s)") % {"session_id": e.session_id}, "muted"),
                    )
                    if e.session_id
                    else e.what,
                    e.action_taken,
                    e.follow_up,
                    e.reported_by,
                )
                for e in report.adverse_events
            ),
        )
    else:
        events = Paragraph(_("None recorded."))
    sections.append(Section(_("Adverse events"), "ae-h", (events,)))
    if report.growth is not None:
        sections.append(_growth(report.growth))
    if report.in_error:
        in_error: list[Block] = [
            Table(
                _cols(
                    (_("Taken"), 22),
                    (_("Measure"), 32),
                    (_("Value"), 30),
                    (_("Why marked"), 60),
                    (_("Marked by"), 35),
                ),
                tuple(
                    (
                        words.day(m.date),
                        m.instrument,
                        (Span(m.value, "strike"),),
                        m.reason,
                        f"{m.marked_by}, {words.day(m.marked_on)}" if m.marked_on else m.marked_by,
                    )
                    for m in report.in_error
                ),
            )
        ]
        more = report.in_error_total - len(report.in_error)
        in_error += paragraphs(
            _("%(more)s more on the client's pages.") % {"more": more} if more > 0 else "", tone="small"
        )
        sections.append(
            Section(
                _("Measurements entered in error (left out of every figure)"),
                "in-error-h",
                tuple(in_error),
                3,
            )
        )
    if report.trends:
        trends: list[Block] = []
        for t in report.trends:
            trends += _trend(t)
        sections.append(Section(_("Outcome measures"), "outcomes-h", tuple(trends)))
    sections.append(_evidence(report))
    if report.stop_signs:
        sections.append(
            Section(
                _("In-session stop rules in force"),
                "stop-rules-h",
                (
                    BulletList(
                        tuple(
                            (Span(sign.label, "strong"), Span(f": {sign.text} [{', '.join(sign.sources)}]"))
                            for sign in report.stop_signs
                        ),
                        tone="small",
                    ),
                ),
                3,
            )
        )
    sections.append(
        Section(_("Content versions"), "versions-h", (key_values(report.content_versions, "small"),), 3)
    )
    sources: list[Block] = []
    for group in dict.fromkeys(s.group for s in report.sources):
        sources += [
            Heading(group),
            BulletList(
                tuple(f"[{s.source_id}] {s.text}" for s in report.sources if s.group == group), tone="small"
            ),
        ]
    sections.append(Section(_("Sources"), "sources-h", tuple(sources)))
    return sections


def _plan(p: PlanPart) -> Section:
    blocks: list[Block] = [
        key_values(plan_rows(p)),
        Heading(_("Adherence and fidelity")),
        key_values(adherence_facts(p)),
    ]
    a = p.adherence
    if a.phases:
        blocks.append(
            Table(
                _cols(
                    (_("Phase"), 50),
                    (_("Protocol minutes"), 30, True),
                    (_("Average done (completed sessions)"), 50, True),
                    (_("Of protocol"), 25, True),
                ),
                tuple(
                    (
                        ph.phase,
                        words.minutes(ph.planned_minutes),
                        words.minutes(ph.actual_minutes),
                        words.percent(ph.percent),
                    )
                    for ph in a.phases
                ),
                caption=_("Minutes per phase against the protocol"),
            )
        )
    if a.stop_reasons:
        blocks.append(
            Table(
                _cols((_("Why sessions stopped"), 120), (_("Sessions"), 25, True)),
                tuple((reason, str(n)) for reason, n in a.stop_reasons),
            )
        )
    if p.upcoming:
        blocks.append(
            key_values([(_("Next sessions"), "; ".join(words.moment(s.due_at) for s in p.upcoming))])
        )
    return Section(
        _("Plan: %(protocol_name)s") % {"protocol_name": p.protocol_name},
        f"plan-{p.plan_id}-h",
        tuple(blocks),
    )


def _sessions(report: Report) -> Section:
    blocks: list[Block] = [Paragraph(sessions_note(report), tone="muted")]
    columns = _cols(
        (_("Started"), 24),
        (_("Status"), 17),
        (_("Min"), 10, True),
        (_("Steps"), 14, True),
        (_("Pauses"), 12, True),
        (_("Stop: check and reason"), 62),
        (_("Note"), 20),
    )
    for title, group in session_groups(report):
        if title:
            blocks.append(Heading(title))
        rows: list[tuple[Text, ...]] = [
            (
                words.moment(s.started_at),
                (Span(s.status_label, "flag"),) if s.status == "stopped" else s.status_label,
                f"{s.minutes:.1f}",
                _("%(done)s/%(skipped)s of %(planned)s")
                % {
                    "done": s.steps_done,
                    "skipped": s.steps_skipped,
                    "planned": s.steps_planned,
                },
                str(s.pauses) + "".join(f" ({n} {d})" for d, n in s.decisions if d != "stop" and n),
                f"{s.stop_check}: {s.stop_reason}" if s.stop_reason else "",
                s.note,
            )
            for s in group
        ]
        blocks.append(Table(columns, tuple(rows), caption=_("Sessions, newest first"), dense=True))
    if report.responses:
        blocks += [
            Heading(_("Responses recorded in notes")),
            BulletList(
                tuple(f"{words.day(r.date)} ({r.kind.lower()}): {r.text}" for r in report.responses),
                tone="small",
            ),
        ]
    return Section(_("Sessions"), "sessions-h", tuple(blocks))


def _growth(g: GrowthPart) -> Section:
    blocks: list[Block] = [
        *paragraphs(
            _("Reference: %(reference_source)s") % {"reference_source": g.reference_source},
            g.age_source,
            tone="muted",
        ),
        *paragraphs(*g.notes, tone="caution"),
        Table(
            _cols(
                (_("Measure"), 24),
                (_("Date"), 20),
                (_("Value"), 18, True),
                (_("Age"), 34),
                (_("SDS (chron.)"), 16, True),
                (_("SDS (corr.)"), 16, True),
                (_("Centile (chron.)"), 18),
                (_("Centile (corr.)"), 18),
            ),
            tuple(
                (
                    line.label,
                    words.day(line.date),
                    line.display,
                    line.age_text,
                    _sds(line.chronological_sds),
                    _sds(line.corrected_sds),
                    words.centile(line.chronological_centile),
                    words.centile(line.corrected_centile),
                )
                for line in g.latest
            ),
            caption=_("Latest growth values with SDS and centiles"),
        ),
        Heading(_("Weight velocity")),
        Table(
            _cols(
                (_("Window"), 26), (_("Method"), 34), (_("Velocity"), 24), (_("Gain"), 16), (_("Span"), 64)
            ),
            tuple(
                (v.window, v.method, v.value or "—", v.gain or "—", v.span or v.error) for v in g.velocities
            ),
        ),
    ]
    methods = {v.method_id: v for v in g.velocities}.values()
    blocks += [
        Paragraph(
            (
                Span(v.method, "strong"),
                Span(_(": %(formula)s. Source: %(source)s") % {"formula": v.formula, "source": v.source}),
            ),
            tone="small",
        )
        for v in methods
    ]
    blocks += paragraphs(next((v.goal_note for v in g.velocities if v.goal_note), ""), tone="small")
    for part in g.charts:
        blocks += [Heading(part.title), chart(part)]
        table = next((t for t in g.tables if t.label == part.title), None)
        if table is None:
            continue
        blocks += [
            Paragraph(rows_note(len(table.rows), table.total), tone="muted"),
            Table(
                _cols(
                    (_("Date"), 22),
                    (_("Value"), 20),
                    (_("Age"), 46),
                    (_("SDS (corr.)"), 18, True),
                    (_("Centile (corr.)"), 20),
                    (_("Note"), 40),
                ),
                tuple(
                    (
                        words.day(pt.date),
                        pt.display,
                        pt.age_text,
                        _sds(pt.corrected_sds),
                        words.centile(pt.corrected_centile),
                        (_("unusual, confirmed. ") if pt.confirmed_unusual else "") + pt.note,
                    )
                    for pt in table.rows
                ),
                caption=_("%(title)s: latest values") % {"title": part.title},
                dense=True,
            ),
        ]
    return Section(_("Growth"), "growth-h", tuple(blocks))


def _trend(t: TrendPart) -> list[Block]:
    blocks: list[Block] = [Heading(t.name), *paragraphs(t.direction, tone="muted")]
    if t.chart is not None:
        blocks.append(chart(t.chart))
    blocks += paragraphs(*t.notes, tone="muted")
    if t.gas is not None:
        blocks += _gas(t.gas)
    if t.rows:
        columns = t.columns[:TREND_COLUMNS]
        blocks.append(
            Table(
                _cols((_("Date"), 22), *((c, 150 / len(columns)) for c in columns)),
                tuple((words.day(d), *(v for _, v in cells[: len(columns)])) for d, cells in t.rows),
                caption=_("%(name)s: latest values") % {"name": t.name},
                dense=True,
            )
        )
        note = rows_note(len(t.rows), t.total)
        if len(t.columns) > len(columns):
            note += " " + _(
                "The first %(shown)s of %(count)s series; every series is on the client's pages."
            ) % {"shown": len(columns), "count": len(t.columns)}
        blocks.append(Paragraph(note, tone="muted"))
    return blocks


def _gas(part: GasPart) -> list[Block]:
    """Goal attainment across goals: the T-score at the start and now, each goal, the formula cited."""
    g = part.summary
    count = words.plural(len(g.goals), "goal")
    return [
        Paragraph((Span(_("GAS T-score across %(count)s") % {"count": count}, "strong"),)),
        key_values(
            (
                (_("At the start (each goal's first rating)"), f"{g.first_t:.1f}"),
                (_("Now (each goal's latest rating)"), f"{g.latest_t:.1f} ({words.signed(g.change, 1)})"),
            )
        ),
        Table(
            _cols(
                (_("Goal"), 70), (_("Weight"), 18, True), (_("First rating"), 40), (_("Latest rating"), 40)
            ),
            tuple(
                (
                    r.goal,
                    f"{r.weight:g}",
                    f"{_level(r.first_level)} ({words.day(r.first_at.date())})",
                    f"{_level(r.latest_level)} ({words.day(r.latest_at.date())})",
                )
                for r in g.goals
            ),
            caption=_("Goals with their weight, first and latest ratings"),
            dense=True,
        ),
        *paragraphs(*g.notes, tone="muted"),
        Paragraph(
            _(
                "50: every goal at its expected level; about 10 points is one standard deviation. "
                "%(formula)s, w a goal's weight (1 when none is given), x its level [%(sources)s]."
            )
            % {"formula": part.formula, "sources": "; ".join(part.sources)},
            tone="small",
        ),
    ]


def _level(level: int) -> str:
    return words.signed(level, 0) if level else "0"


def _evidence(report: Report) -> Section:
    ev = report.evidence
    blocks: list[Block] = [
        Paragraph(
            _(
                "Claims for %(about)s from the evidence library, most certain first, with their GRADE "
                "certainty."
            )
            % {"about": ev.about or _("this client")},
            tone="muted",
        ),
        Claims(
            tuple(
                Claim(
                    ref=c.claim_id,
                    statement=c.text,
                    badge=Badge(
                        c.certainty, _("%(certainty_words)s (GRADE)") % {"certainty_words": c.certainty_words}
                    ),
                    after=_("· %(evidence)s · studies: %(studies)s")
                    % {"evidence": c.evidence, "studies": ", ".join(c.studies)},
                    strong=True,
                    details=(_("Why this certainty: %(grade_reason)s") % {"grade_reason": c.grade_reason},),
                    caveats=c.caveats,
                )
                for c in ev.supported
            ),
            empty=_("No claims apply."),
        ),
    ]
    if ev.unsupported:
        blocks += [
            Heading(_("Claims with no study behind them")),
            Claims(
                tuple(
                    Claim(
                        ref=c.claim_id,
                        statement=c.text,
                        badge=Badge(c.certainty, c.certainty_words.capitalize()),
                        after=_("(no study found)"),
                        inline=True,
                    )
                    for c in ev.unsupported
                ),
                tone="small",
            ),
        ]
    return Section(_("Evidence"), "evidence-h", tuple(blocks))
