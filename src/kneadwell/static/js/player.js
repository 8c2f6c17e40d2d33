// The guided session player: buttons post without reloading the page, countdowns run from the server's
// figures, and anything that cannot be sent (no signal, logged out) waits on this device and is sent
// again in order. Every entry carries a key, so a resend is stored once.
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
  function startTimers() {
    clearInterval(timerHandle);
    var started = Date.now();
    var timers = Array.prototype.map.call(root.querySelectorAll(".timer"), function (el) {
      return { el: el, seconds: parseFloat(el.dataset.seconds), running: el.dataset.running === "1" };
    });
    function tick() {
      var gone = (Date.now() - started) / 1000;
      timers.forEach(function (t) {
        var left = t.running ? t.seconds - gone : t.seconds;
        t.el.querySelector(".clock").textContent = fmt(left);
        t.el.classList.toggle("overdue", left <= 0);
      });
    }
    tick();
    timerHandle = setInterval(tick, 1000);
  }
  function swap(html) {
    root.innerHTML = html;
    startTimers();
  }
  function send(entry) {
    return fetch(actUrl, {
      method: "POST",
      body: new URLSearchParams(entry),
      headers: { "X-Player": "1", "X-CSRFToken": entry.csrfmiddlewaretoken || "" },
      credentials: "same-origin",
    }).then(function (response) {
      if (response.redirected && response.url.indexOf("/accounts/login/") !== -1) {
        status.textContent = "You were logged out. Log in again in another tab; your entries are kept here.";
        throw new Error("logged out");
      }
      if (response.status >= 500) throw new Error("server error");
      return response.text();
    });
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
    send(entry).then(swap, function () {
      queue.push(entry);
      writeQueue(queue);
      if (button) button.disabled = false;
    });
  });
  window.addEventListener("online", flush);
  setInterval(flush, 10000);
  writeQueue(readQueue());
  startTimers();
  flush();
})();
