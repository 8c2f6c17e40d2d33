"""The clinician version of a report as document sections: the full record for the referring
clinician (see `compose` for the frame and the parent version). Pure: no Django import."""

from __future__ import annotations

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
    client: list[Block] = [key_values(client_rows(c)), Heading("Consent", anchor="consent-h")]
    if c.consents:
        client.append(
            Table(
                _cols(("Consent", 30), ("Covers", 55), ("Signed", 30), ("Method", 28), ("Status", 25)),
                tuple(
                    (k.kind, "; ".join(k.scopes), signed_words(k), k.method, consent_state(k))
                    for k in c.consents
                ),
            )
        )
    else:
        client.append(Paragraph("No consent recorded."))
    sections = [Section("Client", "client-h", tuple(client))]
    sections += [_plan(p) for p in report.plans]
    sections.append(_sessions(report))
    if report.adverse_events:
        events: Block = Table(
            _cols(
                ("When", 24),
                ("Severity", 26),
                ("What happened", 45),
                ("Action taken", 40),
                ("Follow-up", 35),
                ("Reported by", 22),
            ),
            tuple(
                (
                    words.moment(e.occurred_at),
                    e.severity_label,
                    (Span(e.what), Span(f" (session {e.session_id})", "muted")) if e.session_id else e.what,
                    e.action_taken,
                    e.follow_up,
                    e.reported_by,
                )
                for e in report.adverse_events
            ),
        )
    else:
        events = Paragraph("None recorded.")
    sections.append(Section("Adverse events", "ae-h", (events,)))
    if report.growth is not None:
        sections.append(_growth(report.growth))
    if report.in_error:
        in_error: list[Block] = [
            Table(
                _cols(("Taken", 22), ("Measure", 32), ("Value", 30), ("Why marked", 60), ("Marked by", 35)),
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
        in_error += paragraphs(f"{more} more on the client's pages." if more > 0 else "", tone="small")
        sections.append(
            Section(
                "Measurements entered in error (left out of every figure)", "in-error-h", tuple(in_error), 3
            )
        )
    if report.trends:
        trends: list[Block] = []
        for t in report.trends:
            trends += _trend(t)
        sections.append(Section("Outcome measures", "outcomes-h", tuple(trends)))
    sections.append(_evidence(report))
    if report.stop_signs:
        sections.append(
            Section(
                "In-session stop rules in force",
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
        Section("Content versions", "versions-h", (key_values(report.content_versions, "small"),), 3)
    )
    sources: list[Block] = []
    for group in dict.fromkeys(s.group for s in report.sources):
        sources += [
            Heading(group),
            BulletList(
                tuple(f"[{s.source_id}] {s.text}" for s in report.sources if s.group == group), tone="small"
            ),
        ]
    sections.append(Section("Sources", "sources-h", tuple(sources)))
    return sections


def _plan(p: PlanPart) -> Section:
    blocks: list[Block] = [
        key_values(plan_rows(p)),
        Heading("Adherence and fidelity"),
        key_values(adherence_facts(p)),
    ]
    a = p.adherence
    if a.phases:
        blocks.append(
            Table(
                _cols(
                    ("Phase", 50),
                    ("Protocol minutes", 30, True),
                    ("Average done (completed sessions)", 50, True),
                    ("Of protocol", 25, True),
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
                caption="Minutes per phase against the protocol",
            )
        )
    if a.stop_reasons:
        blocks.append(
            Table(
                _cols(("Why sessions stopped", 120), ("Sessions", 25, True)),
                tuple((reason, str(n)) for reason, n in a.stop_reasons),
            )
        )
    if p.upcoming:
        blocks.append(key_values([("Next sessions", "; ".join(words.moment(s.due_at) for s in p.upcoming))]))
    return Section(f"Plan: {p.protocol_name}", f"plan-{p.plan_id}-h", tuple(blocks))


def _sessions(report: Report) -> Section:
    blocks: list[Block] = [Paragraph(sessions_note(report), tone="muted")]
    columns = _cols(
        ("Started", 24),
        ("Status", 17),
        ("Min", 10, True),
        ("Steps", 14, True),
        ("Pauses", 12, True),
        ("Stop: check and reason", 62),
        ("Note", 20),
    )
    for title, group in session_groups(report):
        if title:
            blocks.append(Heading(title))
        rows: list[tuple[Text, ...]] = [
            (
                words.moment(s.started_at),
                (Span(s.status_label, "flag"),) if s.status == "stopped" else s.status_label,
                f"{s.minutes:.1f}",
                f"{s.steps_done}/{s.steps_skipped} of {s.steps_planned}",
                str(s.pauses) + "".join(f" ({n} {d})" for d, n in s.decisions if d != "stop" and n),
                f"{s.stop_check}: {s.stop_reason}" if s.stop_reason else "",
                s.note,
            )
            for s in group
        ]
        blocks.append(Table(columns, tuple(rows), caption="Sessions, newest first", dense=True))
    if report.responses:
        blocks += [
            Heading("Responses recorded in notes"),
            BulletList(
                tuple(f"{words.day(r.date)} ({r.kind.lower()}): {r.text}" for r in report.responses),
                tone="small",
            ),
        ]
    return Section("Sessions", "sessions-h", tuple(blocks))


def _growth(g: GrowthPart) -> Section:
    blocks: list[Block] = [
        *paragraphs(f"Reference: {g.reference_source}", g.age_source, tone="muted"),
        *paragraphs(*g.notes, tone="caution"),
        Table(
            _cols(
                ("Measure", 24),
                ("Date", 20),
                ("Value", 18, True),
                ("Age", 34),
                ("SDS (chron.)", 16, True),
                ("SDS (corr.)", 16, True),
                ("Centile (chron.)", 18),
                ("Centile (corr.)", 18),
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
            caption="Latest growth values with SDS and centiles",
        ),
        Heading("Weight velocity"),
        Table(
            _cols(("Window", 26), ("Method", 34), ("Velocity", 24), ("Gain", 16), ("Span", 64)),
            tuple(
                (v.window, v.method, v.value or "—", v.gain or "—", v.span or v.error) for v in g.velocities
            ),
        ),
    ]
    methods = {v.method_id: v for v in g.velocities}.values()
    blocks += [
        Paragraph((Span(v.method, "strong"), Span(f": {v.formula}. Source: {v.source}")), tone="small")
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
                    ("Date", 22),
                    ("Value", 20),
                    ("Age", 46),
                    ("SDS (corr.)", 18, True),
                    ("Centile (corr.)", 20),
                    ("Note", 40),
                ),
                tuple(
                    (
                        words.day(pt.date),
                        pt.display,
                        pt.age_text,
                        _sds(pt.corrected_sds),
                        words.centile(pt.corrected_centile),
                        ("unusual, confirmed. " if pt.confirmed_unusual else "") + pt.note,
                    )
                    for pt in table.rows
                ),
                caption=f"{part.title}: latest values",
                dense=True,
            ),
        ]
    return Section("Growth", "growth-h", tuple(blocks))


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
                _cols(("Date", 22), *((c, 150 / len(columns)) for c in columns)),
                tuple((words.day(d), *(v for _, v in cells[: len(columns)])) for d, cells in t.rows),
                caption=f"{t.name}: latest values",
                dense=True,
            )
        )
        note = rows_note(len(t.rows), t.total)
        if len(t.columns) > len(columns):
            note += (
                f" The first {len(columns)} of {len(t.columns)} series; every series is on the client's "
                "pages."
            )
        blocks.append(Paragraph(note, tone="muted"))
    return blocks


def _gas(part: GasPart) -> list[Block]:
    """Goal attainment across goals: the T-score at the start and now, each goal, the formula cited."""
    g = part.summary
    count = words.plural(len(g.goals), "goal")
    return [
        Paragraph((Span(f"GAS T-score across {count}", "strong"),)),
        key_values(
            (
                ("At the start (each goal's first rating)", f"{g.first_t:.1f}"),
                ("Now (each goal's latest rating)", f"{g.latest_t:.1f} ({words.signed(g.change, 1)})"),
            )
        ),
        Table(
            _cols(("Goal", 70), ("Weight", 18, True), ("First rating", 40), ("Latest rating", 40)),
            tuple(
                (
                    r.goal,
                    f"{r.weight:g}",
                    f"{_level(r.first_level)} ({words.day(r.first_at.date())})",
                    f"{_level(r.latest_level)} ({words.day(r.latest_at.date())})",
                )
                for r in g.goals
            ),
            caption="Goals with their weight, first and latest ratings",
            dense=True,
        ),
        *paragraphs(*g.notes, tone="muted"),
        Paragraph(
            "50: every goal at its expected level; about 10 points is one standard deviation. "
            f"{part.formula}, w a goal's weight (1 when none is given), x its level "
            f"[{'; '.join(part.sources)}].",
            tone="small",
        ),
    ]


def _level(level: int) -> str:
    return words.signed(level, 0) if level else "0"


def _evidence(report: Report) -> Section:
    ev = report.evidence
    blocks: list[Block] = [
        Paragraph(
            f"Claims for {ev.about or 'this client'} from the evidence library, most certain first, with "
            "their GRADE certainty.",
            tone="muted",
        ),
        Claims(
            tuple(
                Claim(
                    ref=c.claim_id,
                    statement=c.text,
                    badge=Badge(c.certainty, f"{c.certainty_words} (GRADE)"),
                    after=f"· {c.evidence} · studies: {', '.join(c.studies)}",
                    strong=True,
                    details=(f"Why this certainty: {c.grade_reason}",),
                    caveats=c.caveats,
                )
                for c in ev.supported
            ),
            empty="No claims apply.",
        ),
    ]
    if ev.unsupported:
        blocks += [
            Heading("Claims with no study behind them"),
            Claims(
                tuple(
                    Claim(
                        ref=c.claim_id,
                        statement=c.text,
                        badge=Badge(c.certainty, c.certainty_words.capitalize()),
                        after="(no study found)",
                        inline=True,
                    )
                    for c in ev.unsupported
                ),
                tone="small",
            ),
        ]
    return Section("Evidence", "evidence-h", tuple(blocks))
