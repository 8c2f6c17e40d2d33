// The guided session player: buttons post without reloading the page, countdowns and the session clock
// run from the server's figures, auto-advance (off by default) moves on when a step's time is up, and
// anything that cannot be sent (no signal, logged out) waits on this device and is sent again in order. Every entry carries a key, so a resend is stored once.
(function () {
  var root = document.getElementById("player");
  if (!root) return;
  var actUrl = root.dataset.act;
  var queueKey = "kw-player-queue-" + root.dataset.session;
  var status = document.getElementById("sync-status");
  var timerHandle = null;

  function readQueue() {
    try { return JSON.parse(localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; }
  }
  function writeQueue(queue) {
    localStorage.setItem(queueKey, JSON.stringify(queue));
    status.textContent = queue.length
      ? queue.length + " entr" + (queue.length === 1 ? "y is" : "ies are") + " kept on this device and will be sent when the connection is back."
      : "";
  }
  function fmt(seconds) {
    var s = Math.max(0, Math.round(seconds));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }
  // Countdowns (the step, its phase) and the whole-session clock, all from the server's figures.
  function startTimers() {
    clearInterval(timerHandle);
    var started = Date.now();
    var timers = Array.prototype.map.call(root.querySelectorAll("[data-seconds]"), function (el) {
      return {
        el: el,
        seconds: parseFloat(el.dataset.seconds),
        running: el.dataset.running === "1",
        up: el.dataset.up === "1",
        step: el.hasAttribute("data-step-timer"),
      };
    });
    var hasStepTimer = timers.some(function (t) { return t.step; });
    function tick() {
      var gone = (Date.now() - started) / 1000;
      timers.forEach(function (t) {
        var value = t.running ? (t.up ? t.seconds + gone : t.seconds - gone) : t.seconds;
        t.el.querySelector(".clock").textContent = fmt(value);
        if (!t.up) t.el.classList.toggle("overdue", value <= 0);
        if (t.step) auto.tick(value, t.seconds > 0 && t.running);
      });
      if (!hasStepTimer) auto.status("");
    }
    tick();
    timerHandle = setInterval(tick, 1000);
  }

  // Auto-advance: off by default, remembered on this device. When the step's time is up it plays a soft
  // chime (and a short buzz where the phone can), then posts "done" through the same form a tap would, so
  // the server stays the record. A tap on the page (not on a button or field) holds it on this step; a
  // second tap lets it carry on. It also holds while the stop panel is open or a skip reason is typed.
  var autoKey = "kw-player-auto";
  var audio = null;
  var auto = {
    held: false,
    heldStep: null,
    firedStep: null,
    on: function () { return localStorage.getItem(autoKey) === "1"; },
    step: function () {
      var input = root.querySelector("form[data-done] input[name=index]");
      return input ? input.value : null;
    },
    holding: function () {
      var stop = document.getElementById("stop-dialog");
      var skip = root.querySelector("details.skip[open]");
      return (this.held && this.heldStep === this.step()) || !!(stop && stop.classList.contains("open")) || !!skip;
    },
    status: function (text) {
      var el = root.querySelector("[data-auto-status]");
      if (el && el.textContent !== text) el.textContent = text;
    },
    // The words come from the page (data-held, data-moving, data-time-up on the status line), in the page's
    // language; the English here is only a fallback.
    words: function (name, fallback) {
      var el = root.querySelector("[data-auto-status]");
      return (el && el.getAttribute("data-" + name)) || fallback;
    },
    tick: function (left, counting) {
      if (!this.on() || !counting) { this.status(""); return; }
      if (this.holding()) {
        this.status(this.words("held", "Held on this step. Tap the page again to let it move on by itself."));
        return;
      }
      if (left > 0) {
        this.status(
          this.words("moving", "Moves on by itself in {time}. Tap the page to hold this step.").replace("{time}", fmt(left))
        );
        return;
      }
      var index = this.step();
      var form = root.querySelector("form[data-done]");
      if (!form || this.firedStep === index) return;
      this.firedStep = index;
      this.status(this.words("time-up", "Time is up: moving on."));
      chime();
      setTimeout(function () {
        if (auto.holding() || auto.step() !== index) { auto.firedStep = null; return; }
        if (form.requestSubmit) form.requestSubmit();
        else form.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
      }, 1200);
    },
  };
  function chime() {
    try {
      if (navigator.vibrate) navigator.vibrate(120);
    } catch (e) { /* no vibration on this device */ }
    if (!audio) return;
    try {
      if (audio.state === "suspended") audio.resume();
      [523.25, 659.25].forEach(function (freq, i) {
        var start = audio.currentTime + i * 0.25;
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = "sine";
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.08, start + 0.03);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.5);
        osc.connect(gain);
        gain.connect(audio.destination);
        osc.start(start);
        osc.stop(start + 0.55);
      });
    } catch (e) { /* no sound on this device */ }
  }
  function syncAutoBox() {
    var box = root.querySelector("input[data-auto]");
    if (box) box.checked = auto.on();
  }
  root.addEventListener("change", function (event) {
    if (!event.target.matches("input[data-auto]")) return;
    localStorage.setItem(autoKey, event.target.checked ? "1" : "0");
    auto.held = false;
    auto.firedStep = null;
    if (event.target.checked && !audio) {
      // Made on the tap that turns it on: browsers allow sound only after a person's gesture.
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (Ctx) { try { audio = new Ctx(); } catch (e) { audio = null; } }
    }
  });
  root.addEventListener("pointerdown", function (event) {
    if (!auto.on()) return;
    if (event.target.closest("button, a, input, label, select, textarea, summary, .controls, .stop-panel, .panel-pinned")) return;
    auto.held = !(auto.held && auto.heldStep === auto.step());
    auto.heldStep = auto.step();
    if (!auto.held) auto.firedStep = null;
  });

  // The stop panel opens over the page, where the person is, with the focus in it.
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  root.classList.add("js");
  function openStop() {
    var panel = document.getElementById("stop-dialog");
    if (!panel) return;
    panel.classList.add("open");
    var close = panel.querySelector("[data-close-stop]");
    if (close) close.hidden = false;
    panel.focus();
  }
  function closeStop() {
    var panel = document.getElementById("stop-dialog");
    if (panel) panel.classList.remove("open");
  }
  root.addEventListener("click", function (event) {
    if (event.target.closest("[data-open-stop]")) { event.preventDefault(); openStop(); }
    else if (event.target.closest("[data-close-stop]")) { event.preventDefault(); closeStop(); }
  });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") closeStop(); });
  // A pause or a stop decided by the server is brought to the person: the panel takes the focus and,
  // when it is not pinned to the screen, is scrolled into view.
  function bringForward() {
    var panel = root.querySelector("[data-focus]");
    if (!panel) return;
    panel.focus({ preventScroll: true });
    if (!panel.classList.contains("panel-pinned")) {
      panel.scrollIntoView({ block: "start", behavior: reduceMotion ? "auto" : "smooth" });
    }
  }
  function swap(html) {
    root.innerHTML = html;
    syncAutoBox();
    startTimers();
    bringForward();
  }
  // Each post has a time limit: with "lie-fi" (a network that lets nothing through) a post that hangs is
  // aborted and counts as no connection (window.KW_NETWORK_TIMEOUT_MS shortens it for the browser tests).
  var TIMEOUT_MS = window.KW_NETWORK_TIMEOUT_MS || 15000;
  function lostNetwork(error) {
    return !!error && (error.name === "AbortError" || error instanceof TypeError);
  }
  function send(entry) {
    var ctrl = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (ctrl) ctrl.abort(); }, TIMEOUT_MS);
    return fetch(actUrl, {
      method: "POST",
      body: new URLSearchParams(entry),
      headers: { "X-Player": "1", "X-CSRFToken": entry.csrfmiddlewaretoken || "" },
      credentials: "same-origin",
      signal: ctrl ? ctrl.signal : undefined,
    }).then(function (response) {
      if (response.redirected && response.url.indexOf("/accounts/login/") !== -1) {
        status.textContent = status.getAttribute("data-logged-out") ||
          "You were logged out. Log in again in another tab; your entries are kept here.";
        throw new Error("logged out");
      }
      if (response.status >= 500) throw new Error("server error");
      return response.text();
    }).then(function (html) {
      clearTimeout(timer);
      return html;
    }, function (error) {
      clearTimeout(timer);
      throw error;
    });
  }
  // The connection is lost (or lets nothing through) on a tap: where the session can go on on the device
  // (offline-player.js), it does, with this tap as its first record; else the tap waits here as before.
  function handOver(entry) {
    var O = window.KneadwellOffline, P = window.KneadwellOfflinePlayer;
    if (O && O.markDown) O.markDown();
    if (!P || !P.takeOver) return Promise.resolve(false);
    return P.takeOver(root, entry).catch(function () { return false; });
  }
  var flushing = false;
  function flush() {
    if (flushing) return;
    var queue = readQueue();
    if (!queue.length) return;
    flushing = true;
    send(queue[0]).then(function (html) {
      queue.shift();
      writeQueue(queue);
      swap(html);
      flushing = false;
      flush();
    }, function () { flushing = false; });
  }
  root.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-player]");
    if (!form) return;
    event.preventDefault();
    var entry = {};
    new FormData(form).forEach(function (value, name) { entry[name] = value; });
    entry.key = entry.key || (window.crypto && crypto.randomUUID ? crypto.randomUUID() : Date.now() + "-" + Math.random());
    var queue = readQueue();
    if (queue.length) {  // keep the order: behind what is already waiting
      queue.push(entry);
      writeQueue(queue);
      flush();
      return;
    }
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    send(entry).then(swap, function (error) {
      var taken = lostNetwork(error) ? handOver(entry) : Promise.resolve(false);
      return taken.then(function (done) {
        if (done) return;
        queue.push(entry);
        writeQueue(queue);
        if (button) button.disabled = false;
      });
    });
  });
  window.addEventListener("online", flush);
  setInterval(flush, 10000);
  writeQueue(readQueue());
  syncAutoBox();
  startTimers();
  if (root.querySelector(".panel-pinned, .panel-stop")) bringForward();
  flush();
})();
