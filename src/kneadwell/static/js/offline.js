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

  // --- the network, and "lie-fi" -------------------------------------------------------------------------
  // navigator.onLine says only that the device has a network, not that anything gets through (one bar of
  // signal, a hotel's log-in page, a unit's Wi-Fi with no way out). Every request this app makes has a time
  // limit: one that fails or runs out marks the network as down (the page then says so and works as
  // offline: checks on the device, records kept in the outbox) until a request gets through again. The
  // limit can be shortened for the browser tests (window.KW_NETWORK_TIMEOUT_MS, set before the page loads).
  var TIMEOUT_MS = window.KW_NETWORK_TIMEOUT_MS || 15000;
  api.timeoutMs = TIMEOUT_MS;
  api.down = false;
  api.online = function () { return navigator.onLine && !api.down; };
  function tellWorker(message) {
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage(message);
    }
  }
  function through() {
    // Told every time (cheap): another page may have told the worker the network was down.
    tellWorker({ type: "network", down: false });
    if (!api.down) return;
    api.down = false;
    refresh();
  }
  function failed() {
    if (api.down) return;
    api.down = true;
    // The service worker then serves the pages kept here at once, instead of waiting on the network.
    tellWorker({ type: "network", down: true });
    refresh();
  }
  api.markDown = failed;
  api.markUp = through;
  // fetch with a time limit covering the answer and its body (`read`, e.g. r => r.json()): a request that
  // hangs is aborted (AbortController) and counts as no network. An answer, even an error status, means the
  // network gets through.
  api.fetch = function (url, options, read, ms) {
    var ctrl = window.AbortController ? new AbortController() : null;
    var opts = Object.assign({}, options || {});
    if (ctrl) opts.signal = ctrl.signal;
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () {
        if (ctrl) ctrl.abort();
        failed();
        reject(new Error("timeout"));
      }, ms || TIMEOUT_MS);
      fetch(url, opts).then(function (response) {
        through();
        return read ? read(response) : response;
      }).then(function (value) {
        clearTimeout(timer);
        resolve(value);
      }, function (error) {
        clearTimeout(timer);
        // A lost network (or the body cut off); an error status or a bad body is an answer, not that.
        if (error && (error.name === "TypeError" || error.name === "AbortError")) failed();
        reject(error);
      });
    });
  };

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
    // Tried while the network is marked down too: the sync is what finds out it is back.
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
      if (!api.down) setLine("sending", W.sending);  // while nothing gets through, the line says that
      // Records stay in the outbox until the server has answered for them: a sync that times out is sent
      // again later, and the server stores each key once (a "replayed" answer).
      return api.fetch(cfg.sync_url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify({ records: batch.map(wire) }),
      }, function (response) {
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
      setLine("offline", !navigator.onLine ? W.offline : api.down ? W.no_connection : "");
      setLine("sending", syncing && waiting && !api.down ? W.sending : "");
      setLine("waiting", waiting ? fill(W.waiting, { count: waiting }) : justSent ? W.all_sent : "");
      setLine("held", held ? fill(W.held, { count: held }) : "", cfg.shell_url + "?status=1", W.see_conflicts);
      setLine("conflicts", conflicts ? fill(W.conflicts, { count: conflicts }) : "",
        navigator.onLine ? cfg.conflicts_url : cfg.shell_url + "?status=1", W.see_conflicts);
      box.hidden = !(box.querySelector("[data-line]:not([hidden])"));
      box.classList.toggle("is-offline", !api.online());
      api.counts = { waiting: waiting, held: held, conflicts: conflicts };
      document.dispatchEvent(new CustomEvent("kw-offline-counts", { detail: api.counts }));
    });
  }
  api.refresh = refresh;
  window.addEventListener("online", function () { refresh(); api.sync(); });
  window.addEventListener("offline", refresh);
  setInterval(function () { if (navigator.onLine) api.sync(); }, window.KW_SYNC_EVERY_MS || 20000);

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
      return api.fetch(url, { credentials: "same-origin" }, function (r) { return r.ok ? r.json() : null; });
    }
    return api.get("kits", id).then(function (kept) {
      // At most every half hour, whatever came back (a child with no health history yet has no bundle);
      // at once when the page's language is not the one the kit and the bundle speak.
      var sameWords = kept && kept.language === cfg.language;
      if (kept && sameWords && kept.pages_kept && Date.now() - kept.fetched_at < 30 * 60 * 1000) return;
      // One request after the other: the server is not asked for several things at once.
      return json(entry.kit_url).then(function (kit) {
        if (!kit) return;
        return json(entry.bundle_url).then(function (bundle) {
          // A bundle kept in another language is not kept on for this one (its rules are the same, but the
          // reasons it shows would be in the other language): none until one in this language arrives.
          var keptBundle = kept && kept.bundle && kept.bundle.language === cfg.language ? kept.bundle : null;
          var value = { id: id, user: cfg.user, client_id: entry.client_id, language: cfg.language, kit: kit, bundle: bundle || keptBundle, fetched_at: Date.now(), pages_kept: false };
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
    if (!api.online() || !cfg.warm || !cfg.warm.length) return Promise.resolve();
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
    var checkClient = parseInt(checkPath[1], 10);
    checkForm.addEventListener("submit", function (event) {
      var thenStart = !!(event.submitter && event.submitter.value === "start");
      if (api.online()) return;  // online, the server checks as always
      event.preventDefault();
      api.deviceCheck(checkForm, checkClient, thenStart);
    }, true);
    // Online as far as the browser knows, the form is posted as always. If no answer comes in time
    // (lie-fi), the post is stopped (window.stop) and the check runs on the device with the same answers:
    // kept in the outbox like any offline check. (A post that did reach the server is a second check of
    // the same answers; both are screened there.)
    document.addEventListener("submit", function (event) {
      if (event.target !== checkForm || event.defaultPrevented) return;
      var thenStart = !!(event.submitter && event.submitter.value === "start");
      var watchdog = setTimeout(function () {
        window.stop();
        failed();
        api.deviceCheck(checkForm, checkClient, thenStart);
      }, TIMEOUT_MS);
      window.addEventListener("pagehide", function () { clearTimeout(watchdog); });
    });
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
  // The English original of an unreviewed translated safety text, on its own line, as the server's pages
  // show it (localise.Bilingual): isolated as English so an Arabic page does not reorder its punctuation.
  // `original` comes from the bundle (words.originals), present only where the organisation shows it.
  function withOriginal(container, original, label) {
    if (!original) return;
    var small = container.appendChild(el("small", "original-text", label + ": "));
    var bdi = small.appendChild(el("bdi", "", original));
    bdi.setAttribute("lang", "en");
    bdi.setAttribute("dir", "ltr");
  }
  api.original = function (bundle, collection, id, field) {
    var words = bundle && bundle.words;
    var item = words && words.originals && words.originals[collection] && words.originals[collection][id];
    return item && item[field] ? { text: item[field], label: words.original_label } : null;
  };
  api.withOriginal = function (container, found) {
    if (found) { container.appendChild(el("br")); withOriginal(container, found.text, found.label); }
  };
  // A reason's note as the device shows it, in the bundle's language. rules.js writes the note in the
  // engine's English (it must equal the server's, word for word); the page shows it built again from the
  // reason's own fields, as the server's pages do (localise.Shower.note): the questions not answered (its
  // `unanswered` ids, by the bundle's labels), the questions a measured value overrules (the rule's
  // `overrules` answered no), the history's words (its `finding`, as typed), no area to leave out
  // (`escalated`), each with the bundle's words for it (words.phrases, from the server's marked strings).
  // The English those fields make (words.engine_english) must be the whole note; a note with anything
  // else (a release that does not apply), or a bundle without these words, is shown as rules.js wrote it.
  function shownNote(r, bundle, answers) {
    var words = bundle && bundle.words, ph = words && words.phrases, en = words && words.engine_english;
    if (!r.note || !ph || !en || !ph.not_answered || !en.not_answered) return r.note || "";
    var questions = bundle.questions || {};
    function named(id, say) {  // screening._label: a question's label in quotes, or a fact of the record
      if (id.indexOf("client.") === 0) {
        var fact = (say.client_labels || {})[id];
        return fact !== undefined ? fact : id.slice(7).replace(/_/g, " ");
      }
      return questions[id] ? '"' + questions[id].label + '"' : null;
    }
    function both(template, values, say) { return fill(say[template], values); }
    var rest = r.note, parts = [];
    function take(english, shown) {
      if (rest !== english && rest.indexOf(english + " ") !== 0) return false;
      parts.push(shown);
      rest = rest.slice(english.length).replace(/^ /, "");
      return true;
    }
    var unanswered = r.unanswered || [];
    // The note names the questions the rule could not decide without; the region questions are appended
    // to `unanswered` after them, so the longest run that reads back is the note's.
    for (var count = unanswered.length; count > 0; count--) {
      var ids = unanswered.slice(0, count);
      var enNames = ids.map(function (q) { return named(q, en); });
      if (enNames.indexOf(null) >= 0) return r.note;
      var shownNames = ids.map(function (q) { return named(q, ph); });
      if (take(both("not_answered", { questions: enNames.join("; ") }, en),
               both("not_answered", { questions: shownNames.join("; ") }, ph))) break;
    }
    var rule = (bundle.rules || []).filter(function (x) { return x.id === r.rule_id; })[0];
    var intake = (bundle.intake && bundle.intake.answers) || {};
    var overruled = ((rule && rule.overrules) || []).filter(function (q) {
      return questions[q] && (questions[q].scope === "intake" ? intake : answers || {})[q] === false;
    });
    if (overruled.length) {
      take(both("overruled", { questions: overruled.map(function (q) { return named(q, en); }).join("; ") }, en),
           both("overruled", { questions: overruled.map(function (q) { return named(q, ph); }).join("; ") }, ph));
    }
    var typed = r.finding && r.finding.text;
    if (typed && typed.length) {  // the person's own words, as they typed them
      take(both("mentioned", { words: typed.join(", ") }, en), both("mentioned", { words: typed.join(", ") }, ph));
    }
    if (r.escalated) take(en.no_area, ph.no_area);
    return rest ? r.note : parts.join(" ");
  }
  api.shownNote = shownNote;
  function reasonBlock(r, parent, bundle, answers) {
    var box = el("div", "reason");
    var first = box.appendChild(el("p"));
    first.appendChild(el("strong", "", parent ? (r.parent_text || r.title) : (r.title + ": " + (r.clinician_text || ""))));
    if (parent && r.parent_text) api.withOriginal(first, api.original(bundle, "rules", r.rule_id, "text_parent"));
    if (r.instead) {
      var p = box.appendChild(el("p"));
      p.appendChild(el("strong", "", W.what_to_do + " "));
      p.appendChild(document.createTextNode(r.instead));
      api.withOriginal(p, api.original(bundle, "rules", r.rule_id, "instead"));
    }
    if (r.note) box.appendChild(el("p", "reason-note", shownNote(r, bundle, answers)));
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

  // Why a session does not start on the device after this check, and what to do.
  function waitsWhy(result, bundle) {
    var box = el("div", "waits-why");
    if (result.action === "avoid-areas" && result.avoided_regions && result.avoided_regions.length) {
      var labels = {};
      (bundle.regions || []).forEach(function (r) { labels[r.id] = r.label; });
      var areas = result.avoided_regions.map(function (id) { return (labels[id] || id.replace(/_/g, " ")).toLowerCase(); });
      box.appendChild(el("p", "", fill(W.check_found_areas, { areas: areas.join(", ") })));
    } else if (result.action === "modify") {
      box.appendChild(el("p", "", W.check_found_change));
    } else {
      box.appendChild(el("p", "", W.check_found));
      return box;
    }
    box.appendChild(el("p", "", W.check_found_todo));
    return box;
  }

  // Today's steps after an avoid-areas or modify verdict (rules.js todaysSteps), or null when the device
  // does not narrow them: another kind of verdict, no kept programme or steps, the kit and the bundle of
  // different content versions, or an older kit without what narrowing needs.
  function changedSteps(rules, kept, protocol, result) {
    if (result.action !== "avoid-areas" && result.action !== "modify") return null;
    if (!protocol || !protocol.steps || !protocol.steps.length || !protocol.narrow || !rules.todaysSteps) return null;
    if (!kept.kit.content_version || kept.kit.content_version !== kept.bundle.content_version) return null;
    try {
      return rules.todaysSteps(kept.bundle, protocol, result, {
        treatment_kinds: kept.kit.treatment_kinds || [],
        content_version: kept.kit.content_version,
        pressure_labels: (kept.kit.words || {}).pressures || {},
      });
    } catch (e) {
      return null;  // a kit that does not fit: the cautious fallback
    }
  }
  // What today's changed session leaves out (the areas found, the steps left out) and the steps it keeps.
  function leftOutList(result, kept, protocol, today) {
    var KW = kept.kit.words || {};
    var box = el("div", "todays-steps");
    if (result.avoided_regions && result.avoided_regions.length) {
      var labels = {};
      (kept.bundle.regions || []).forEach(function (r) { labels[r.id] = r.label; });
      var areas = result.avoided_regions.map(function (id) { return (labels[id] || id.replace(/_/g, " ")).toLowerCase(); });
      box.appendChild(el("p", "", fill(KW.left_out, { areas: areas.join(", ") })));
    }
    var gone = protocol.steps.length - today.steps.length;
    if (gone > 0) box.appendChild(el("p", "", fill(KW.steps_left_out, { count: gone })));
    var list = box.appendChild(el("ol", "small"));
    today.steps.forEach(function (s) {
      var shown = s.shown || {};
      var li = list.appendChild(el("li", "", (shown.name || s.name) + (shown.where ? " — " + shown.where : "")));
      if (shown.left_out) li.appendChild(el("span", "muted", " (" + W.leave_out + " " + shown.left_out + ")"));
      if (shown.pressure) li.appendChild(el("span", "muted", " · " + fill(W.pressure, { pressure: shown.pressure })));
    });
    return box;
  }

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
        var reasons = result.reasons.filter(function (r) { return !r.released; }).map(function (r) { return reasonBlock(r, parent, kept.bundle, answers); });
        if (result.blocks) {
          show("panel-stop", result.action === "stop" ? W.not_today : W.needs_release, reasons.concat([W.check_kept]));
          return;
        }
        var protocol = kept.kit.protocols.filter(function (p) { return p.id === protocolId; })[0];
        if (result.action !== "go" || result.reasons.length) {
          // Areas to leave out or a change: today's steps are the kept ones narrowed by the verdict, as the
          // server's adaptation narrows them (rules.js todaysSteps, held to the server by a parity test),
          // when the kit and the bundle are of the same content. Otherwise (an older kit, a programme that
          // watches vital signs, permission asked at each step, anything else found) the session waits for
          // the connection: the page says why, what is left out, and what to do.
          var today = changedSteps(rules, kept, protocol, result);
          var KW = kept.kit.words || {};
          if (today && today.ok && !today.treatment) {
            var why = (KW.why || {})[today.no_treatment_cause] || "";
            show("panel-stop", W.not_today, [fill(KW.no_treatment, { why: why })].concat(reasons, [W.check_kept]));
            return;
          }
          if (today && today.ok && today.ask_permission && KW.permission_online) {
            show("panel-caution", W.waits_for_connection, [KW.permission_online].concat(reasons, [W.check_kept]));
            return;
          }
          if (!today || !today.ok || !today.steps.length) {
            show("panel-caution", W.waits_for_connection, [waitsWhy(result, kept.bundle)].concat(reasons, [W.check_kept]));
            return;
          }
          var changed = Object.assign({}, protocol, { steps: today.steps, planned_seconds: today.planned_seconds });
          var go = el("button", "primary big", W.start_session);
          go.type = "button";
          go.addEventListener("click", function () { api.startSession(kept.kit, changed, check); });
          show("panel-caution", KW.changed, [KW.changed_note, leftOutList(result, kept, protocol, today)].concat(reasons, [W.check_kept, go]));
          form.hidden = true;
          return;
        }
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
