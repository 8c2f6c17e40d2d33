// Kneadwell's service worker (served at /sw.js by kneadwell.offline.views.service_worker, scope "/").
// Static files: kept at install (their names carry a content hash), served from the cache first. Pages a
// parent uses (home, a child's page and routine, today's check, the player, the diary, the offline page):
// network first, the copy kept on this device when there is no network, else the offline page, which
// plays what the device holds. Nothing else is kept: no API answer, no other page, and the pages are
// deleted on log-out (offline.js) and when another person logs in on this device.
"use strict";
var VERSION = "{{ version }}";
var STATIC_CACHE = "kw-static-" + VERSION;
var PAGES = "kw-pages";
var PRECACHE = {{ precache|safe }};
var SHELL = "{{ shell_url }}";
// The parent's pages, kept when visited (path patterns; a query such as ?protocol= is part of the key).
var KEEP = [
  /^\/$/,
  /^\/clients\/\d+\/$/,
  /^\/clients\/\d+\/check\/$/,
  /^\/library\/protocols\/[\w-]+\/$/,
  /^\/sessions\/\d+\/$/,
  /^\/sessions\/\d+\/note\/$/,
  /^\/offline\/$/,
];

// "Lie-fi": a network that lets nothing through. A parent's page (the ones kept here) that has not come
// within NETWORK_TIMEOUT_MS is served from the device; and while a page has told this worker that nothing
// gets through (offline.js, after a request of its own timed out), those pages are served from the
// device at once, for a minute at most or until a page says the network is back. Other pages (a report,
// an export) are fetched as they always were, however long they take: the device has no copy of them.
var NETWORK_TIMEOUT_MS = 10000;
var DOWN_FOR_MS = 60000;
var downSince = 0;

function fromNetwork(request) {
  if (downSince && Date.now() - downSince < DOWN_FOR_MS) return Promise.reject(new Error("network down"));
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("timeout")); }, NETWORK_TIMEOUT_MS);
    fetch(request).then(function (response) {
      clearTimeout(timer);
      resolve(response);
    }, function (error) {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function keepable(url) {
  return url.origin === self.location.origin && KEEP.some(function (re) { return re.test(url.pathname); });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC_CACHE).then(function (cache) { return cache.addAll(PRECACHE); }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) {
        return n.indexOf("kw-static-") === 0 && n !== STATIC_CACHE;
      }).map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function keep(request, response) {
  // Only a page answered as itself: not a redirect to the log-in page, not an error.
  if (!response || !response.ok || response.redirected || response.type !== "basic") return response;
  var copy = response.clone();
  caches.open(PAGES).then(function (cache) { return cache.put(request, copy); });
  return response;
}

function fromDevice(request) {
  return caches.open(PAGES).then(function (cache) {
    // Vary (Cookie, Accept-Language) is ignored: the pages kept are this person's, in their language,
    // and are deleted when they log out.
    return cache.match(request, { ignoreVary: true }).then(function (hit) {
      if (hit) return hit;
      // The offline page routes by the address it is shown at (a diary, a session, today's check).
      return caches.match(SHELL, { ignoreSearch: true, ignoreVary: true }).then(function (shell) {
        return shell || Response.error();
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("{{ static_url }}") === 0) {
    event.respondWith(
      caches.match(request).then(function (hit) {
        return hit || fetch(request).then(function (response) {
          if (response.ok) {
            var copy = response.clone();
            caches.open(STATIC_CACHE).then(function (cache) { return cache.put(request, copy); });
          }
          return response;
        });
      })
    );
    return;
  }
  if (request.mode !== "navigate") return;
  if (!keepable(url)) {
    event.respondWith(fetch(request).catch(function () { return fromDevice(request); }));
    return;
  }
  event.respondWith(
    fromNetwork(request).then(function (response) { return keep(request, response); }, function () {
      return fromDevice(request);
    })
  );
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "keep" && Array.isArray(data.urls)) {
    // Pages the device should hold for use without a network (a parent's children: their page, today's
    // check, the offline page), fetched as the person, kept only when answered as themselves.
    event.waitUntil(caches.open(PAGES).then(function (cache) {
      return data.urls.reduce(function (done, u) {
        var url = new URL(u, self.location.origin);
        if (!keepable(url)) return done;
        return done.then(function () {
          return fetch(url.href, { credentials: "same-origin" }).then(function (response) {
            if (response.ok && !response.redirected) return cache.put(url.href, response);
          }).catch(function () { /* kept next time */ });
        });
      }, Promise.resolve()).then(function () {
        if (event.ports && event.ports[0]) event.ports[0].postMessage("kept");
      });
    }));
  } else if (data.type === "network") {
    downSince = data.down ? Date.now() : 0;
  } else if (data.type === "forget") {
    event.waitUntil(caches.delete(PAGES));
  }
});
