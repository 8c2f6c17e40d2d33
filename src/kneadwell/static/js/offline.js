// The offline web app on every page (docs/offline.md): registers the service worker, keeps an outbox in
// IndexedDB (each record with its own idempotency key, in the order made), sends it in order to the sync
// API when there is a network, says on the page when it is offline and how many records wait, and runs
// today's check on the device when the check page is sent with no network. All words come from the page
// (offline/words.py), in its language.
(function () {
  "use strict";
  var cfgEl = document.getElementById("kw-offline-config");
  if (!cfgEl || !window.indexedDB) return;
  var cfg = JSON.parse(cfgEl.textContent);
  // The words arrive as base64 of UTF-8 JSON (offline_tags.offline_status).
  var W = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(cfg.words), function (c) { return c.charCodeAt(0); })));
  var api = {};
  window.KneadwellOffline = api;

  function fill(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (m, name) { return name in values ? values[name] : m; });
  }
  api.fill = fill;
  api.words = W;
  api.cfg = cfg;

  // --- IndexedDB ---------------------------------------------------------------------------------------
  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var open = indexedDB.open("kneadwell-offline", 1);
        open.onupgradeneeded = function () {
          var d = open.result;
          d.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
          d.createObjectStore("sessions", { keyPath: "ref" });
          d.createObjectStore("kits", { keyPath: "id" });
          d.createObjectStore("conflicts", { keyPath: "key" });
        };
        open.onsuccess = function () { resolve(open.result); };
        open.onerror = function () { reject(open.error); };
      });
    }
    return dbPromise;
  }
  function run(store, mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(store, mode);
        var result;
        var req = work(t.objectStore(store));
        if (req) req.onsuccess = function () { result = req.result; };
        t.oncomplete = function () { resolve(result); };
        t.onerror = t.onabort = function () { reject(t.error); };
      });
    });
  }
  api.all = function (store) { return run(store, "readonly", function (s) { return s.getAll(); }); };
  api.get = function (store, key) { return run(store, "readonly", function (s) { return s.get(key); }); };
  api.put = function (store, value) { return run(store, "readwrite", function (s) { return s.put(value); }); };
  api.del = function (store, key) { return run(store, "readwrite", function (s) { return s.delete(key); }); };
  api.clear = function (store) { return run(store, "readwrite", function (s) { return s.clear(); }); };

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  api.uuid = uuid;

  // --- the outbox ----------------------------------------------------------------------------------------
  // One record: {seq, key, user, kind, client_id, session_id | session_key, device_time, data, state, message}.
  api.record = function (kind, fields) {
    var row = {
      key: fields.key || uuid(),
      user: cfg.user,
      kind: kind,
      client_id: fields.client_id,
      session_id: fields.session_id || null,
      session_key: fields.session_key || null,
      device_time: new Date().toISOString(),
      data: fields.data || {},
      state: "waiting",
      message: "",
    };
    return api.put("outbox", row).then(function () {
      justSent = false;
      refresh();
      if (navigator.onLine) setTimeout(api.sync, 50);
      return row;
    });
  };

  function mine(rows) {
    return rows.filter(function (r) { return r.user === cfg.user; }).sort(function (a, b) { return a.seq - b.seq; });
  }
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function wire(row) {
    var out = { key: row.key, kind: row.kind, client_id: row.client_id, device_time: row.device_time, data: row.data };
    if (row.session_id) out.session_id = row.session_id;
    if (row.session_key) out.session_key = row.session_key;
    return out;
  }

  var justSent = false;
  var syncing = null;
  var lastError = "";
  api.sync = function () {
    if (!cfg.user || !navigator.onLine) return Promise.resolve();
    if (syncing) return syncing;
    var go = function () { return sendAll(0); };
    var p = navigator.locks && navigator.locks.request ? navigator.locks.request("kneadwell-outbox", go) : go();
    syncing = Promise.resolve(p).catch(function () { /* kept; tried again later */ }).then(function () {
      syncing = null;
      refresh();
    });
    return syncing;
  };
  function sendAll(round) {
    return api.all("outbox").then(function (rows) {
      var batch = mine(rows).filter(function (r) { return r.state !== "held"; }).slice(0, 100);
      if (!batch.length || round > 50) return;
      setLine("sending", W.sending);
      return fetch(cfg.sync_url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify({ records: batch.map(wire) }),
      }).then(function (response) {
        if (!response.ok) { lastError = String(response.status); throw new Error("sync " + response.status); }
        return response.json();
      }).then(function (body) {
        lastError = "";
        var moved = 0;
        var work = body.results.map(function (res, i) {
          var row = batch[i];
          if (!row || row.key !== res.key) return null;
          if (res.status === "stored" || res.status === "replayed") {
            moved += 1;
            var done = [api.del("outbox", row.seq)];
            if (row.kind === "session_start" && res.result && res.result.session_id) {
              done.push(linkSession(row.key, res.result.session_id));
            }
            if (res.conflict) {
              done.push(api.put("conflicts", {
                key: res.key, user: cfg.user, kind: res.kind, client_id: row.client_id,
                session_id: (res.result && res.result.session_id) || row.session_id, conflict: res.conflict,
                synced_at: body.synced_at,
              }));
            }
            return Promise.all(done);
          }
          if (res.status === "refused") {
            row.state = "held";
            row.message = res.message;
            return api.put("outbox", row);
          }
          return null;  // waiting: sent again after what it waits for
        });
        return Promise.all(work).then(function () {
          if (moved) justSent = true;
          if (moved && moved === batch.length) return sendAll(round + 1);
        });
      });
    });
  }
  // A session started on the device gets its server id once its start is stored (its pages then link there).
  function linkSession(key, sessionId) {
    return api.get("sessions", "local:" + key).then(function (s) {
      if (!s) return;
      s.server_id = sessionId;
      return api.put("sessions", s);
    });
  }

  // --- the status line -------------------------------------------------------------------------------------
  var box = document.getElementById("kw-offline");
  function setLine(name, text, href, linkText) {
    if (!box) return;
    var el = box.querySelector("[data-line=" + name + "]");
    if (!el) return;
    el.hidden = !text;
    if (el.dataset.text === (text || "")) return;
    el.dataset.text = text || "";
    el.textContent = text || "";
    if (text && href) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = linkText;
      el.appendChild(document.createTextNode(" "));
      el.appendChild(a);
    }
  }
  function refresh() {
    if (!box || !cfg.user) return Promise.resolve();
    return Promise.all([api.all("outbox"), api.all("conflicts")]).then(function (got) {
      var rows = mine(got[0]);
      var waiting = rows.filter(function (r) { return r.state !== "held"; }).length;
      var held = rows.length - waiting;
      var conflicts = got[1].filter(function (c) { return c.user === cfg.user; }).length;
      setLine("offline", navigator.onLine ? "" : W.offline);
      setLine("sending", syncing && waiting ? W.sending : "");
      setLine("waiting", waiting ? fill(W.waiting, { count: waiting }) : justSent ? W.all_sent : "");
      setLine("held", held ? fill(W.held, { count: held }) : "", cfg.shell_url + "?status=1", W.see_conflicts);
      setLine("conflicts", conflicts ? fill(W.conflicts, { count: conflicts }) : "",
        navigator.onLine ? cfg.conflicts_url : cfg.shell_url + "?status=1", W.see_conflicts);
      box.hidden = !(box.querySelector("[data-line]:not([hidden])"));
      box.classList.toggle("is-offline", !navigator.onLine);
      api.counts = { waiting: waiting, held: held, conflicts: conflicts };
      document.dispatchEvent(new CustomEvent("kw-offline-counts", { detail: api.counts }));
    });
  }
  api.refresh = refresh;
  window.addEventListener("online", function () { refresh(); api.sync(); });
  window.addEventListener("offline", refresh);
  setInterval(function () { if (navigator.onLine) api.sync(); }, 20000);

  // --- the service worker and what it keeps ------------------------------------------------------------
  var PAGE_CACHES = /^kw-pages/;
  function clearPages() {
    if (!window.caches) return Promise.resolve();
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return PAGE_CACHES.test(n); }).map(function (n) { return caches.delete(n); }));
    });
  }
  // Another person's pages and kits never outlive a log-out (or a change of person on this device). The
  // outbox is kept, by person: what was recorded is sent when its author logs in again.
  function forgetOthers() {
    var last = localStorage.getItem("kw-offline-user");
    var now = cfg.user ? String(cfg.user) : "";
    if (last === now) return Promise.resolve();
    return Promise.all([clearPages(), api.clear("kits"), api.clear("sessions"), api.clear("conflicts")]).then(function () {
      if (now) localStorage.setItem("kw-offline-user", now);
      else localStorage.removeItem("kw-offline-user");
    });
  }
  api.forget = function () {
    localStorage.removeItem("kw-offline-user");
    return Promise.all([clearPages(), api.clear("kits"), api.clear("sessions"), api.clear("conflicts")]);
  };
  // Log-out: asks first when records are still waiting, and starts forgetting at once; the next page (the
  // log-in page, signed out) finishes it (forgetOthers), so the log-out itself is never held up.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.action || form.action.indexOf(cfg.logout_url) === -1) return;
    var counts = api.counts || { waiting: 0, held: 0 };
    var left = counts.waiting + counts.held;
    if (left && !window.confirm(fill(W.logout_waiting, { count: left }))) {
      event.preventDefault();
      return;
    }
    api.forget().catch(function () { /* finished on the next page */ });
  }, true);

  function worker() {
    return navigator.serviceWorker ? navigator.serviceWorker.ready : Promise.reject(new Error("no service worker"));
  }
  // Asks the service worker to keep these pages; resolves once it has (it answers on the channel).
  function keepPages(urls) {
    return worker().then(function (reg) {
      if (!reg.active) return false;
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function () { resolve(true); };
        reg.active.postMessage({ type: "keep", urls: urls }, [channel.port2]);
        setTimeout(function () { resolve(false); }, 60000);
      });
    });
  }
  // After one visit online a parent has what they need with no network: each child's page, today's check,
  // the kit (steps and words) and the rules bundle, refreshed at most every half hour.
  function warmOne(entry) {
    var id = cfg.user + ":" + entry.client_id;
    function json(url) {
      return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; });
    }
    return api.get("kits", id).then(function (kept) {
      // At most every half hour, whatever came back (a child with no health history yet has no bundle).
      if (kept && kept.pages_kept && Date.now() - kept.fetched_at < 30 * 60 * 1000) return;
      // One request after the other: the server is not asked for several things at once.
      return json(entry.kit_url).then(function (kit) {
        if (!kit) return;
        return json(entry.bundle_url).then(function (bundle) {
          var value = { id: id, user: cfg.user, client_id: entry.client_id, kit: kit, bundle: bundle || (kept && kept.bundle) || null, fetched_at: Date.now(), pages_kept: false };
          var urls = [entry.client_url, cfg.shell_url];
          kit.protocols.forEach(function (p) { urls.push(entry.check_url + "?protocol=" + encodeURIComponent(p.id)); });
          return api.put("kits", value).then(function () { return keepPages(urls); }).then(function (done) {
            value.pages_kept = done;
            return api.put("kits", value);
          });
        });
      });
    });
  }
  function warm() {
    if (!navigator.onLine || !cfg.warm || !cfg.warm.length) return Promise.resolve();
    return cfg.warm.reduce(function (done, entry) {
      return done.then(function () { return warmOne(entry); });
    }, Promise.resolve()).catch(function () { /* tried again on the next page */ }).then(function () {
      api.warmed = true;
    });
  }
  api.kit = function (clientId) { return api.get("kits", cfg.user + ":" + clientId); };

  // rules.js is loaded only where a check or a session runs on the device.
  var rulesLoading = null;
  api.rules = function () {
    if (window.KneadwellRules) return Promise.resolve(window.KneadwellRules);
    if (!rulesLoading) {
      rulesLoading = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = cfg.rules_js;
        s.onload = function () { resolve(window.KneadwellRules); };
        s.onerror = function () { rulesLoading = null; reject(new Error("rules.js")); };
        document.head.appendChild(s);
      });
    }
    return rulesLoading;
  };

  // --- today's check on the device -----------------------------------------------------------------------
  var checkPath = location.pathname.match(/^\/clients\/(\d+)\/check\/$/);
  var checkForm = checkPath && document.querySelector("form.questions");
  if (checkForm && checkForm.querySelector("input[name=protocol]")) {
    checkForm.addEventListener("submit", function (event) {
      if (navigator.onLine) return;  // online, the server checks as always
      event.preventDefault();
      var submitter = event.submitter;
      api.deviceCheck(checkForm, parseInt(checkPath[1], 10), submitter && submitter.value === "start");
    }, true);
  }

  function fieldValue(form, name) {
    var fields = form.querySelectorAll("[name='" + name + "']");
    var values = [];
    Array.prototype.forEach.call(fields, function (f) {
      if ((f.type === "radio" || f.type === "checkbox") && !f.checked) return;
      if (f.value !== "") values.push(f.value);
    });
    return values;
  }
  function asked(form, qid) {
    var gated = form.querySelector("[name='" + qid + "'][data-ask-if]");
    if (!gated) return true;
    var on = gated.getAttribute("data-ask-if");
    var equals = gated.getAttribute("data-ask-if-equals");
    if (on === "checklist") return fieldValue(form, "checklist").indexOf(equals) >= 0;
    return fieldValue(form, on)[0] === equals;
  }
  // forms.QuestionForm.answers(), on the device: the answers as the API takes them.
  api.answersFromForm = function (form, bundle) {
    var set = bundle.question_sets.today;
    var checklist = set.checklist || [];
    var ticked = fieldValue(form, "checklist");
    var answers = {};
    checklist.forEach(function (qid) {
      var q = bundle.questions[qid];
      var shown = form.querySelector("input[name=checklist][value='" + qid + "'], input[name=checklist][value^='" + qid + ".']");
      if (!q || !shown) return;
      if (!ticked.length) answers[qid] = null;
      else if (q.type === "multi_choice") {
        answers[qid] = q.choices.filter(function (c) { return ticked.indexOf(qid + "." + c.id) >= 0; }).map(function (c) { return c.id; });
      } else answers[qid] = ticked.indexOf(qid) >= 0;
    });
    set.questions.forEach(function (qid) {
      if (checklist.indexOf(qid) >= 0) return;
      var q = bundle.questions[qid];
      if (!q || !form.querySelector("[name='" + qid + "']")) return;  // not asked of this client
      if (!asked(form, qid)) { answers[qid] = null; return; }
      var values = fieldValue(form, qid);
      var v = values[0];
      if (!values.length) answers[qid] = null;
      else if (q.type === "yes_no") answers[qid] = v === "yes";
      else if (q.type === "number") answers[qid] = parseFloat(String(v).replace(",", "."));
      else if (q.type === "datetime") answers[qid] = new Date(v).toISOString();
      else if (q.type === "multi_choice" || q.type === "region_multi_choice") {
        answers[qid] = values.length === 1 && values[0] === "none" ? [] : values;
      } else answers[qid] = v;
    });
    return answers;
  };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  api.el = el;
  function reasonBlock(r, parent) {
    var box = el("div", "reason");
    box.appendChild(el("p")).appendChild(el("strong", "", parent ? (r.parent_text || r.title) : (r.title + ": " + (r.clinician_text || ""))));
    if (r.instead) {
      var p = box.appendChild(el("p"));
      p.appendChild(el("strong", "", W.what_to_do + " "));
      p.appendChild(document.createTextNode(r.instead));
    }
    box.appendChild(sourcesLine(r.sources));
    return box;
  }
  api.reasonBlock = reasonBlock;
  // The reason's sources, linked to the sources page as the server's pages link them.
  function sourcesLine(ids) {
    var p = el("p", "small sources");
    if (!ids || !ids.length) return p;
    p.appendChild(document.createTextNode(W.source + " "));
    ids.forEach(function (id, i) {
      if (i) p.appendChild(document.createTextNode(", "));
      var a = el("a", "", id);
      a.href = cfg.sources_url + "#" + id;
      p.appendChild(a);
    });
    return p;
  }
  api.sourcesLine = sourcesLine;

  api.deviceCheck = function (form, clientId, thenStart) {
    var protocolId = form.querySelector("input[name=protocol]").value;
    var panel = document.getElementById("kwo-check") || el("section");
    panel.id = "kwo-check";
    panel.setAttribute("tabindex", "-1");
    form.parentNode.insertBefore(panel, form);
    function show(cls, heading, blocks) {
      panel.className = cls;
      panel.setAttribute("role", cls === "panel-stop" ? "alert" : "status");
      panel.innerHTML = "";
      panel.appendChild(el("p", "small muted", W.check_here));
      panel.appendChild(el("h2", "", heading));
      blocks.forEach(function (b) { panel.appendChild(typeof b === "string" ? el("p", "", b) : b); });
      panel.focus();
      panel.scrollIntoView({ block: "start" });
    }
    return Promise.all([api.kit(clientId), api.rules()]).then(function (got) {
      var kept = got[0], rules = got[1];
      if (!kept || !kept.bundle || rules.expired(kept.bundle, new Date())) {
        show("panel-caution", W.not_today, [W.no_bundle]);
        return;
      }
      var answers = api.answersFromForm(form, kept.bundle);
      var result = rules.screen(kept.bundle, answers, { protocol_id: protocolId, now: new Date() });
      Array.prototype.forEach.call(form.querySelectorAll(".kwo-error"), function (e) { e.remove(); });
      if (!result.ok) {
        var list = el("ul", "errorlist");
        Object.keys(result.errors).forEach(function (field) {
          list.appendChild(el("li", "", result.errors[field]));
          var at = form.querySelector("[name='" + field + "']");
          var q = at && at.closest(".question");
          if (q) q.insertBefore(el("p", "errorlist kwo-error", result.errors[field]), q.firstChild);
        });
        show("panel-caution", W.answer_again, [list]);
        return;
      }
      var parent = kept.kit.parent;
      return api.record("check", {
        client_id: clientId,
        data: {
          protocol_id: protocolId, answers: answers, device_action: result.action,
          device_rules: result.reasons.filter(function (r) { return r.action !== "go"; }).map(function (r) { return r.rule_id; }),
        },
      }).then(function (check) {
        var reasons = result.reasons.filter(function (r) { return !r.released; }).map(function (r) { return reasonBlock(r, parent); });
        if (result.blocks) {
          show("panel-stop", result.action === "stop" ? W.not_today : W.needs_release, reasons.concat([W.check_kept]));
          return;
        }
        if (result.action !== "go" || result.reasons.length) {
          show("panel-caution", W.not_today, reasons.concat([W.check_found, W.check_kept]));
          return;
        }
        var protocol = kept.kit.protocols.filter(function (p) { return p.id === protocolId; })[0];
        if (!protocol || !protocol.steps.length) {
          show("panel-ok", W.check_go, [protocol && protocol.refusal ? protocol.refusal : W.no_kit, W.check_kept]);
          return;
        }
        var start = el("button", "primary big", W.start_session);
        start.type = "button";
        start.addEventListener("click", function () { api.startSession(kept.kit, protocol, check); });
        show("panel-ok", W.check_go, [W.check_kept, start]);
        form.hidden = true;
        if (thenStart) return api.startSession(kept.kit, protocol, check);
      });
    });
  };

  // A session started on the device: its state is kept beside the outbox, and the offline page plays it.
  api.startSession = function (kit, protocol, check) {
    var key = uuid();
    var ref = "local:" + key;
    var steps = protocol.steps.map(function (s) {
      var raw = {};
      Object.keys(s).forEach(function (k) { if (k !== "shown") raw[k] = s[k]; });
      return raw;
    });
    var state = {
      ref: ref, user: cfg.user, client_id: kit.client.id, session_key: key, session_id: null, server_id: null,
      client_name: kit.client.display_name, protocol_id: protocol.id, protocol_name: protocol.name,
      population: kit.population, parent: kit.parent, steps: protocol.steps, current_step: 0,
      status: "in_progress", step_started_at: Date.now(), paused_ms: 0, paused_at: null, pauses: 0,
      logged_seconds: 0, planned_seconds: protocol.planned_seconds, cue_groups: kit.cue_groups, states: kit.states,
      last_decision: null, advice: null, stop_reason: "", note: null, updated_at: Date.now(),
      urls: kit.urls,
    };
    return api.put("sessions", state).then(function () {
      return api.record("session_start", {
        key: key, client_id: kit.client.id,
        data: { check_key: check.key, protocol_id: protocol.id, steps: steps },
      });
    }).then(function () {
      location.href = cfg.shell_url + "?session=" + encodeURIComponent(ref);
    });
  };

  // The server's list of open conflicts: a copy kept here of one already read stops being counted.
  function reconcileConflicts() {
    var list = document.getElementById("kw-open-conflicts");
    if (!list) return Promise.resolve();
    var open = JSON.parse(list.textContent);
    return api.all("conflicts").then(function (kept) {
      return Promise.all(kept.filter(function (c) { return open.indexOf(c.key) === -1; }).map(function (c) {
        return api.del("conflicts", c.key);
      }));
    });
  }

  // --- start -----------------------------------------------------------------------------------------------
  forgetOthers().then(reconcileConflicts).then(function () {
    refresh();
    if (!cfg.user) return;
    if (navigator.serviceWorker) {
      navigator.serviceWorker.register(cfg.sw_url, { scope: "/" }).catch(function () { /* no offline use */ });
    }
    api.sync();
    worker().then(warm, function () { return warm(); });
  });
})();
