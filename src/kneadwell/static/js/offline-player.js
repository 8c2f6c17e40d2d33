// The guided session and the diary on the device, with no network (docs/offline.md). It plays a session
// kept in IndexedDB: one started on the device after today's check there, or one started online whose
// network dropped mid-way (the player page hands over to it). Every tap is a record in the outbox
// (offline.js) with its own key, sent in order when the network is back; cues and states are judged on
// the device by the same rules the server uses (rules.js), and again by the server when they are sent.
// The markup is the server player's (same classes); the words come from the page, in its language.
(function () {
  "use strict";
  var O = window.KneadwellOffline;
  if (!O) return;
  var W = O.words, el = O.el, fill = O.fill;
  var ticker = null;

  function fmt(seconds) {
    var s = Math.max(0, Math.round(seconds));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }
  function stepElapsed(s) {
    var t = Date.now();
    var pausedNow = s.paused_at ? t - s.paused_at : 0;
    return Math.max(0, (t - s.step_started_at - s.paused_ms - pausedNow) / 1000);
  }
  function where(s) { return s.session_id ? { session_id: s.session_id } : { session_key: s.session_key }; }
  function save(s) { s.updated_at = Date.now(); return O.put("sessions", s); }
  function diaryHref(s) {
    if (s.session_id) return s.note_url;
    return O.cfg.shell_url + "?diary=" + encodeURIComponent(s.ref);
  }

  // --- judging a cue or a state on the device ------------------------------------------------------------
  function judge(s, kind, code) {
    var cautious = { ok: true, action: "pause", reasons: [{ action: "pause", label: "", parent_text: W.no_rules, clinician_text: W.no_rules, instead: "", detail: "" }], norules: true };
    return Promise.all([O.kit(s.client_id), O.rules().catch(function () { return null; })]).then(function (got) {
      var kept = got[0], rules = got[1];
      if (!rules || !kept || !kept.bundle || rules.expired(kept.bundle, new Date())) return cautious;
      var result = rules.observe(kept.bundle, {
        cues: kind === "cue" ? [code] : [], state: kind === "state" ? code : null,
        pauses_so_far: s.pauses, population: s.population,
      });
      if (!result.ok) return cautious;
      // What the page shows of each reason, in the bundle's language: the English original beside an
      // unreviewed safety text (where the organisation shows it), and the detail's own words.
      result.reasons.forEach(function (r) {
        r.original_text = O.original(kept.bundle, "session_checks", r.check_id, "text_parent");
        r.original_instead = O.original(kept.bundle, "session_checks", r.check_id, "instead");
        r.shown_detail = shownDetail(r.detail, kept.bundle.words);
      });
      return result;
    });
  }

  // An in-session reason's detail as stop_rules writes it ("Seen: …", "State 5: …", "Crying", a reading such as
  // "95 bpm, below 100 bpm for 10 s", each maybe with "(after 2 pause(s); 2 allowed)"), with the bundle's
  // words for those (as localise.Shower.detail shows it on the server's pages): the detail is read back
  // against the engine's English (words.engine_english, the server's marked strings) and said again with
  // words.phrases, the figures and units as written; the cues' and states' names in it are already the
  // bundle's. A detail that does not read back (or a bundle without these words) stays as written.
  var NUMBER = "-?\\d+(?:\\.\\d+)?(?:e[+-]?\\d+)?", READING = NUMBER + "(?: bpm|%| °C)?";
  var FIELDS = { value: READING, limit: READING, baseline: READING, seconds: NUMBER, needed: NUMBER,
                 rise: NUMBER, fall: NUMBER, count: NUMBER, allowed: NUMBER, detail: ".+" };
  function readBack(template, text) {  // the named values of `text` when it is `template` filled, or null
    var names = [], pattern = "", last = 0, m, re = /\{(\w+)\}/g;
    while ((m = re.exec(template))) {
      pattern += template.slice(last, m.index).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      pattern += "(" + (FIELDS[m[1]] || ".+?") + ")";
      names.push(m[1]);
      last = re.lastIndex;
    }
    pattern += template.slice(last).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    var found = new RegExp("^" + pattern + "$").exec(text);
    if (!found) return null;
    var values = {};
    names.forEach(function (n, i) { values[n] = found[i + 1]; });
    return values;
  }
  function shownDetail(detail, words) {
    var ph = words && words.phrases, en = words && words.engine_english;
    if (!detail || !ph) return detail;
    if (en && en.after_pauses && ph.after_pauses) {
      var pauses = readBack(en.after_pauses, detail);
      if (pauses) {
        var inner = shownDetail(pauses.detail, words);
        if (inner === pauses.detail) return detail;  // the inner detail did not read back: all as written
        return fill(ph.after_pauses, Object.assign({}, pauses, { detail: inner }));
      }
    }
    if (en && en.readings && ph.readings && ph.readings.length === en.readings.length) {
      for (var i = 0; i < en.readings.length; i++) {
        var reading = readBack(en.readings[i], detail);
        if (reading) return fill(ph.readings[i], reading);
      }
    }
    if (detail === "Crying") return ph.crying;
    if (detail.indexOf("Seen: ") === 0) return ph.seen + ": " + detail.slice(6);
    var m = detail.match(/^State (\d+): (.*)$/);
    return m ? fill(ph.state, { number: m[1], label: m[2] }) : detail;
  }
  O.shownDetail = shownDetail;

  // --- what a tap does -----------------------------------------------------------------------------------
  function act(root, s, action, data) {
    data = data || {};
    var t = Date.now();
    var record = null;
    var before = Promise.resolve(null);
    if (action === "done" || action === "skip") {
      if (s.status !== "in_progress" || s.current_step >= s.steps.length) return Promise.resolve();
      var secs = Math.round(stepElapsed(s) * 10) / 10;
      record = ["step", { index: s.current_step, outcome: action === "done" ? "done" : "skipped", skip_reason: data.reason || "", seconds: secs }];
      s.logged_seconds += secs;
      s.current_step += 1;
      s.step_started_at = t;
      s.paused_ms = 0;
      s.advice = null;
    } else if (action === "pause") {
      if (s.status !== "in_progress") return Promise.resolve();
      record = ["pause", {}];
      s.status = "paused"; s.paused_at = t; s.pauses += 1; s.last_decision = null;
    } else if (action === "resume") {
      if (s.status !== "paused") return Promise.resolve();
      record = ["resume", {}];
      s.paused_ms += t - (s.paused_at || t); s.paused_at = null; s.status = "in_progress";
    } else if (action === "stop") {
      record = ["session_end", { status: "stopped", reason: data.reason }];
      s.status = "stopped"; s.stop_reason = data.reason; s.paused_at = null; s.ended_at = t;
    } else if (action === "complete") {
      record = ["session_end", { status: "completed" }];
      s.status = "completed"; s.paused_at = null; s.ended_at = t;
    } else if (action === "cue" || action === "state") {
      before = judge(s, action, data.code);
    }
    return before.then(function (decision) {
      if (decision) {
        record = ["observation", { kind: action, code: data.code, moment: "during", device_decision: decision.action }];
        var top = decision.reasons[0];
        if (decision.action === "stop" && (s.status === "in_progress" || s.status === "paused")) {
          s.status = "stopped"; s.paused_at = null; s.ended_at = t;
          s.stop_reason = top.label ? top.label + ": " + (top.shown_detail || top.detail) : top.parent_text;
          s.last_decision = decision;
        } else if (decision.action === "pause" && s.status === "in_progress") {
          s.status = "paused"; s.paused_at = t; s.pauses += 1; s.last_decision = decision;
        } else if (decision.action === "continue") {
          s.advice = decision.reasons.filter(function (r) { return r.action === "slow"; })[0] || null;
        }
        s.observations = (s.observations || []).concat([{ at: t, kind: action, code: data.code, label: data.label, decision: decision.action }]);
      }
      var fields = where(s);
      fields.client_id = s.client_id;
      fields.data = record[1];
      return O.record(record[0], fields);
    }).then(function () { return save(s); }).then(function () { render(root, s); });
  }

  // --- the page ----------------------------------------------------------------------------------------
  function button(cls, text, onClick, type) {
    var b = el("button", cls, text);
    b.type = type || "button";
    if (onClick) b.addEventListener("click", onClick);
    return b;
  }
  function reasonParts(container, r, parent, todoWord) {
    var first = container.appendChild(el("p"));
    first.appendChild(el("strong", "", parent ? r.parent_text : (r.label ? r.label + ": " : "") + r.clinician_text));
    if (parent) O.withOriginal(first, r.original_text);
    if (r.detail) container.appendChild(el("p", "", r.shown_detail || r.detail));
    if (r.instead) {
      var p = container.appendChild(el("p"));
      p.appendChild(el("strong", "", todoWord + " "));
      p.appendChild(document.createTextNode(r.instead));
      O.withOriginal(p, r.original_instead);
    }
    if (r.sources && r.sources.length) container.appendChild(O.sourcesLine(r.sources));
  }
  function openStop(root) {
    var panel = root.querySelector(".stop-panel");
    if (!panel) return;
    panel.classList.add("open");
    panel.focus();
  }

  function render(root, s) {
    clearInterval(ticker);
    root.classList.add("js");
    root.innerHTML = "";
    root.dataset.offline = "1";
    var parent = s.parent;
    var offlineNote = root.appendChild(el("p", "small offline-note", W.offline_player));
    offlineNote.hidden = O.online();
    var head = root.appendChild(el("div", "player-head"));
    head.appendChild(el("p", "small muted", s.client_name + " · " + (s.protocol_name || W.session)));
    var bar = head.appendChild(el("div", "progress"));
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-label", W.steps_done);
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", String(s.steps.length));
    bar.setAttribute("aria-valuenow", String(s.current_step));
    bar.appendChild(el("span")).style.width = Math.round(100 * s.current_step / Math.max(1, s.steps.length)) + "%";
    var clockLine = head.appendChild(el("p", "session-clock small"));
    clockLine.appendChild(el("span", "muted", W.whole_session + " "));
    var elapsed = clockLine.appendChild(el("span", "elapsed")).appendChild(el("span", "clock"));
    if (s.planned_seconds) clockLine.appendChild(el("span", "muted", " " + fill(W.of_about, { planned: fmt(s.planned_seconds) })));

    var step = s.current_step < s.steps.length ? s.steps[s.current_step] : null;
    var shown = step ? step.shown || {} : {};
    var stepClock = null;
    if (s.status === "stopped" || s.status === "completed") {
      var stopped = s.status === "stopped";
      var panel = root.appendChild(el("section", stopped ? "panel-stop" : "panel-ok"));
      panel.setAttribute("tabindex", "-1");
      panel.setAttribute("role", stopped ? "alert" : "status");
      panel.appendChild(el("h2", "", stopped ? W.session_stopped : W.session_complete));
      if (stopped && s.last_decision && s.last_decision.action === "stop") reasonParts(panel, s.last_decision.reasons[0], parent, W.what_to_do_now);
      else if (stopped) panel.appendChild(el("p", "", s.stop_reason));
      else {
        panel.appendChild(el("p", "", fill(W.steps_recorded, { count: s.current_step })));
        if (parent) panel.appendChild(el("p", "", W.well_done));
      }
      var link = el("a", "button " + (stopped ? "on-stop" : "primary"), parent ? W.add_to_diary : W.write_note);
      link.href = diaryHref(s);
      panel.appendChild(el("p")).appendChild(link);
      elapsed.textContent = fmt(s.logged_seconds);
      return;
    }
    if (s.status === "paused") {
      var paused = root.appendChild(el("section", "panel-caution panel-pinned"));
      paused.setAttribute("role", "alert");
      paused.setAttribute("tabindex", "-1");
      paused.appendChild(el("h2", "", W.paused));
      if (s.last_decision && s.last_decision.action === "pause") reasonParts(paused, s.last_decision.reasons[0], parent, W.what_to_do);
      else paused.appendChild(el("p", "", W.take_your_time));
      var actions = paused.appendChild(el("div", "pinned-actions"));
      actions.appendChild(button("primary", W.resume, function () { act(root, s, "resume"); }));
      actions.appendChild(button("danger", W.stop_session, function () { openStop(root); }));
    }
    if (step) {
      var card = root.appendChild(el("section", "card step"));
      card.setAttribute("data-step", "");
      var line = fill(W.step_of, { number: s.current_step + 1, total: s.steps.length }) + (shown.section ? " · " + shown.section : "");
      card.appendChild(el("p", "small muted", line));
      card.appendChild(el("h1", "", shown.name || step.name));
      var whereP = card.appendChild(el("p"));
      whereP.appendChild(el("strong", "", W.where + " "));
      whereP.appendChild(document.createTextNode(shown.where || ""));
      if (shown.left_out) whereP.appendChild(el("span", "small", " (" + W.leave_out + " " + shown.left_out + ")"));
      var timers = card.appendChild(el("div", "timers"));
      if (step.minutes) {
        var timer = timers.appendChild(el("p", "timer"));
        stepClock = timer.appendChild(el("span", "clock"));
        stepClock.setAttribute("aria-hidden", "true");
        timer.appendChild(document.createTextNode(" "));
        timer.appendChild(el("span", "timer-label", W.left_in_step));
      }
      if (step.repetitions) timers.appendChild(el("p", "reps", fill(W.repetitions, { count: step.repetitions })));
      card.appendChild(el("p", "", shown.how || ""));
      var extra = [];
      if (shown.position) extra.push(fill(W.position, { position: shown.position }));
      if (shown.pressure) extra.push(fill(W.pressure, { pressure: shown.pressure }));
      if (shown.note) extra.push(shown.note);
      if (extra.length) card.appendChild(el("p", "small", extra.join(" ")));
      if (s.status === "in_progress") {
        var skip = card.appendChild(el("details", "skip"));
        skip.appendChild(el("summary", "", W.skip_step_open));
        var form = skip.appendChild(el("form"));
        var label = form.appendChild(el("label", "", W.skip_why));
        label.htmlFor = "kwo-skip-reason";
        var input = form.appendChild(el("input"));
        input.id = "kwo-skip-reason";
        input.type = "text";
        input.maxLength = 300;
        form.appendChild(button("", W.skip_step, null, "submit"));
        form.addEventListener("submit", function (event) {
          event.preventDefault();
          if (!input.value.trim()) { input.setCustomValidity(W.skip_reason_needed); input.reportValidity(); return; }
          act(root, s, "skip", { reason: input.value.trim() });
        });
        input.addEventListener("input", function () { input.setCustomValidity(""); });
      }
    } else {
      var closing = root.appendChild(el("section", "card"));
      closing.appendChild(el("h1", "", W.all_steps_done));
      closing.appendChild(el("p", "", parent ? W.closing_parent : W.closing_clinician));
    }
    if (s.status === "in_progress") {
      var controls = root.appendChild(el("div", "controls"));
      if (s.advice) controls.appendChild(el("div", "advice", (parent ? s.advice.parent_text : s.advice.label + ": " + s.advice.clinician_text) + " " + (s.advice.instead || "")));
      var main = controls.appendChild(el("form"));
      main.appendChild(button("primary big", step ? W.done_next : W.finish, null, "submit"));
      main.addEventListener("submit", function (event) {
        event.preventDefault();
        act(root, s, step ? "done" : "complete");
      });
      var row = controls.appendChild(el("div", "control-row"));
      row.appendChild(button("", W.pause, function () { act(root, s, "pause"); }));
      row.appendChild(button("danger", W.stop, function () { openStop(root); }));
    }
    if (s.cue_groups && s.cue_groups.length || s.states && s.states.length) {
      var cues = root.appendChild(el("section", "card cues"));
      cues.appendChild(el("h2", "", parent ? W.how_is_baby : W.cues_and_state));
      (s.cue_groups || []).forEach(function (group, i) {
        var d = cues.appendChild(el("details"));
        if (i === 0) d.open = true;
        d.appendChild(el("summary", "", group.label));
        var chips = d.appendChild(el("div", "chips"));
        group.cues.forEach(function (c) {
          chips.appendChild(button("chip", c.label, function () { act(root, s, "cue", { code: c.id, label: c.label }); }));
        });
      });
      if (s.states && s.states.length) {
        var sd = cues.appendChild(el("details"));
        sd.appendChild(el("summary", "", parent ? W.awake_or_asleep : W.states_clinical));
        var schips = sd.appendChild(el("div", "chips"));
        s.states.forEach(function (st) {
          schips.appendChild(button("chip", st.label, function () { act(root, s, "state", { code: st.id, label: st.label }); }));
        });
      }
    }
    // The stop panel, as on the server's player.
    var stop = root.appendChild(el("section", "card stop-panel"));
    stop.id = "stop-dialog";
    stop.setAttribute("role", "dialog");
    stop.setAttribute("tabindex", "-1");
    stop.appendChild(el("h2", "", W.stop_session));
    var sf = stop.appendChild(el("form"));
    var fs = sf.appendChild(el("fieldset"));
    fs.appendChild(el("legend", "", W.why_stop));
    var ul = fs.appendChild(el("ul"));
    (parent ? [W.stop_had_enough, W.stop_upset, W.stop_interrupted] : [W.stop_declined, W.stop_unsettled, W.stop_interrupted_staff]).forEach(function (text) {
      var lab = ul.appendChild(el("li")).appendChild(el("label"));
      var radio = lab.appendChild(el("input"));
      radio.type = "radio";
      radio.name = "reason";
      radio.value = text;
      lab.appendChild(document.createTextNode(" " + text));
    });
    var other = el("input");
    other.id = "kwo-stop-reason";
    other.type = "text";
    other.maxLength = 300;
    var otherLabel = sf.appendChild(el("label", "", W.or_say_why));
    otherLabel.htmlFor = other.id;
    sf.appendChild(other);
    var buttons = sf.appendChild(el("div", "actions"));
    buttons.appendChild(button("danger", W.stop_now, null, "submit"));
    buttons.appendChild(button("quiet", W.carry_on, function () { stop.classList.remove("open"); }));
    sf.addEventListener("submit", function (event) {
      event.preventDefault();
      var picked = sf.querySelector("input[name=reason]:checked");
      var reason = other.value.trim() || (picked ? picked.value : "");
      if (!reason) { other.setCustomValidity(W.stop_reason_needed); other.reportValidity(); return; }
      act(root, s, "stop", { reason: reason });
    });
    other.addEventListener("input", function () { other.setCustomValidity(""); });

    function tick() {
      var e = stepElapsed(s);
      elapsed.textContent = fmt(s.logged_seconds + (step ? e : 0));
      if (stepClock) {
        var left = step.minutes * 60 - e;
        stepClock.textContent = fmt(left);
        stepClock.parentNode.classList.toggle("overdue", left <= 0);
      }
    }
    tick();
    ticker = setInterval(tick, 1000);
    var focus = root.querySelector(".panel-pinned, .panel-stop");
    if (focus) focus.focus({ preventScroll: true });
  }

  // --- the diary on the device ---------------------------------------------------------------------------
  function diary(app, s, sessionId) {
    var tpl = document.getElementById("kwo-diary-form");
    app.appendChild(el("h1", "", W.diary));
    if (s && s.client_name) app.appendChild(el("p", "muted", s.client_name + " · " + (s.protocol_name || "")));
    var status = el("p", "panel-ok");
    status.setAttribute("role", "status");
    status.hidden = true;
    if (!tpl || app.dataset.parent !== "1") {
      app.appendChild(el("p", "panel-caution", W.not_here));
      return;
    }
    var form = tpl.content.firstElementChild.cloneNode(true);
    app.appendChild(status);
    app.appendChild(form);
    var kept = s && s.note;
    if (kept) {
      Object.keys(kept).forEach(function (name) {
        var fields = form.querySelectorAll("[name='" + name + "']");
        Array.prototype.forEach.call(fields, function (f) {
          if (f.type === "radio") f.checked = f.value === kept[name];
          else f.value = kept[name];
        });
      });
    }
    document.addEventListener("kw-offline-counts", function (event) {
      if (!status.hidden && status.className === "panel-ok" && !event.detail.waiting && !event.detail.held) {
        status.textContent = W.all_sent;
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      var note = { response: data.get("response") || "", sleep_after: data.get("sleep_after") || "", stools: data.get("stools") || "" };
      var sign = !!(event.submitter && event.submitter.name === "sign");
      var fields = s ? where(s) : { session_id: sessionId };
      fields.client_id = s ? s.client_id : null;
      var payload = Object.assign({}, note, sign ? { sign: true } : {});
      fields.data = payload;
      var ready = s ? Promise.resolve(s) : Promise.reject(new Error("unknown session"));
      ready.then(function (state) {
        state.note = note;
        return O.record("note", fields).then(function () { return save(state); });
      }).then(function () {
        status.hidden = false;
        status.textContent = W.saved_here;
        status.setAttribute("tabindex", "-1");
        status.focus();
      }, function () {
        status.hidden = false;
        status.className = "panel-caution";
        status.textContent = W.not_here;
      });
    });
  }

  // --- what waits, on the offline page ---------------------------------------------------------------------
  function waitingList(app) {
    return Promise.all([O.all("outbox"), O.all("conflicts")]).then(function (got) {
      var held = got[0].filter(function (r) { return r.user === O.cfg.user && r.state === "held"; });
      var conflicts = got[1].filter(function (c) { return c.user === O.cfg.user; });
      conflicts.forEach(function (c) {
        var card = app.appendChild(el("section", "card conflict"));
        card.appendChild(el("h2", "", c.conflict.title));
        if (c.conflict.detail) card.appendChild(el("p", "", c.conflict.detail));
        if (c.conflict.todo) {
          var p = card.appendChild(el("p"));
          p.appendChild(el("strong", "", W.what_to_do + " "));
          p.appendChild(document.createTextNode(c.conflict.todo));
        }
        if (c.conflict.yours) {
          var two = card.appendChild(el("div", "two-texts"));
          var mineBox = two.appendChild(el("div"));
          mineBox.appendChild(el("h3", "", W.your_text));
          mineBox.appendChild(el("p", "", c.conflict.yours.response || "—"));
          var theirs = two.appendChild(el("div"));
          theirs.appendChild(el("h3", "", W.their_text));
          theirs.appendChild(el("p", "", (c.conflict.theirs || {}).response || "—"));
        }
        card.appendChild(button("", W.read_it, function () {
          O.del("conflicts", c.key).then(function () { card.remove(); O.refresh(); });
        }));
      });
      held.forEach(function (r) {
        var card = app.appendChild(el("section", "card"));
        card.appendChild(el("h2", "", W.refused));
        card.appendChild(el("p", "", r.message));
      });
    });
  }

  // --- where the page is ----------------------------------------------------------------------------------
  function shell(app) {
    var params = new URLSearchParams(location.search);
    var note = location.pathname.match(/^\/sessions\/(\d+)\/note\/$/);
    var player = location.pathname.match(/^\/sessions\/(\d+)\/$/);
    var loading = app.querySelector("[data-kwo-loading]");
    if (loading) loading.remove();
    function byServerId(id) {
      return O.all("sessions").then(function (all) {
        return all.filter(function (s) { return s.user === O.cfg.user && (s.session_id === id || s.server_id === id); })[0] || null;
      });
    }
    if (params.get("session") || player) {
      var found = params.get("session") ? O.get("sessions", params.get("session")) : byServerId(parseInt(player[1], 10));
      return found.then(function (s) {
        if (!s) { app.appendChild(el("p", "panel-caution", W.not_here)); return; }
        app.innerHTML = "";
        var root = app.appendChild(el("div"));
        root.id = "player";
        render(root, s);
      });
    }
    if (params.get("diary") || note) {
      var which = params.get("diary") ? O.get("sessions", params.get("diary")) : byServerId(parseInt(note[1], 10));
      return which.then(function (s) {
        app.innerHTML = "";
        diary(app, s, note ? parseInt(note[1], 10) : null);
      });
    }
    if (location.pathname !== O.cfg.shell_url) app.appendChild(el("p", "panel-caution", W.not_here));
    return waitingList(app);
  }

  var api = {
    // The player page, when a post could not reach the server: go on with this session on the device.
    takeOver: function (root, entry, rememberOnly) {
      var holder = root.querySelector("#kwo-state");
      if (!holder) return Promise.resolve(false);
      var st = JSON.parse(holder.textContent);
      if (!st.offline_ok) return Promise.resolve(false);
      var ref = "server:" + st.session_id;
      return O.get("sessions", ref).then(function (kept) {
        // A copy kept at page load is older than the page (each tap online refreshed it); one the device
        // has been playing is newer.
        var s = !rememberOnly && kept && kept.local_mode ? kept : null;
        if (!s) {
          var since = (Date.now() - Date.parse(st.rendered_at)) / 1000;
          s = {
            ref: ref, user: O.cfg.user, client_id: st.client_id, session_id: st.session_id, session_key: null,
            client_name: st.client_name, protocol_id: st.protocol_id, protocol_name: st.protocol_name,
            population: st.population, parent: st.parent, steps: st.steps, current_step: st.current_step,
            status: st.status, step_started_at: Date.now() - 1000 * (st.step_elapsed + (st.status === "in_progress" ? Math.max(0, since) : 0)),
            paused_ms: 0, paused_at: st.status === "paused" ? Date.now() : null, pauses: st.pauses,
            logged_seconds: st.logged_seconds, planned_seconds: st.planned_seconds, cue_groups: st.cue_groups,
            states: st.states, last_decision: null, advice: null, stop_reason: "", note: null,
            note_url: st.note_url, updated_at: Date.now(),
          };
        }
        // Called only when nothing of this session waits on the device: the server's page is the record.
        if (rememberOnly) return save(s).then(function () { return false; });
        s.local_mode = true;
        render(root, s);
        if (!entry) return save(s).then(function () { return true; });
        return save(s).then(function () {
          var action = entry.action;
          var data = { reason: (entry.reason_other || "").trim() || entry.reason || "", code: entry.code };
          if (action === "done" || action === "skip" || action === "pause" || action === "resume" ||
              action === "stop" || action === "complete" || action === "cue" || action === "state") {
            return act(root, s, action, data);
          }
        }).then(function () { return true; });
      });
    },
    // The player page loaded while this session still has records waiting on this device: the device's
    // state is ahead of the server's page, so the device goes on playing it.
    resumeIfPending: function (root) {
      var holder = root.querySelector("#kwo-state");
      if (!holder) return Promise.resolve(false);
      var st = JSON.parse(holder.textContent);
      return Promise.all([O.get("sessions", "server:" + st.session_id), O.all("outbox")]).then(function (got) {
        var waiting = got[1].some(function (r) { return r.user === O.cfg.user && r.session_id === st.session_id; });
        if (!got[0] || !waiting) return false;
        render(root, got[0]);
        return true;
      });
    },
    render: render,
  };
  window.KneadwellOfflinePlayer = api;

  var app = document.getElementById("kwo-app");
  if (app) shell(app);
  function noteShown() {
    Array.prototype.forEach.call(document.querySelectorAll(".offline-note"), function (n) { n.hidden = O.online(); });
  }
  window.addEventListener("online", noteShown);
  window.addEventListener("offline", noteShown);
  document.addEventListener("kw-offline-counts", noteShown);  // the network marked down or up (lie-fi)

  // The server's player page: with no network a tap is kept on the device and the session goes on here
  // (the capture phase, so the page's own script does not also queue it). Each page load keeps the
  // session's steps on the device, so its diary can be written there later.
  var playerRoot = document.getElementById("player");
  if (playerRoot && playerRoot.querySelector("#kwo-state")) {
    document.addEventListener("submit", function (event) {
      var form = event.target.closest && event.target.closest("form[data-player]");
      if (!form || O.online() || playerRoot.dataset.offline) return;
      var entry = {};
      new FormData(form).forEach(function (value, name) { entry[name] = value; });
      event.preventDefault();
      event.stopPropagation();
      api.takeOver(playerRoot, entry);
    }, true);
    api.resumeIfPending(playerRoot).then(function (taken) {
      if (!taken) return api.takeOver(playerRoot, null, true);
    });
  }
})();
