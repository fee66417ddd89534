/* The running patrol: the phone's position (Geolocation API, WGS-84 by its specification) is
 * watched, kept in a queue in localStorage (a dead zone or a reload loses nothing) and posted
 * in batches to /w/patrol/<id>/points/. The server skips a point it already has, so a batch
 * sent twice after a lost answer is harmless. Ending the patrol sends what is queued first. */
(function () {
  "use strict";
  var section = document.querySelector("[data-patrol]");
  if (!section) return;
  var url = section.dataset.pointsUrl;
  var csrf = section.dataset.csrf;
  var key = "gridgov.patrol." + section.dataset.patrol + ".queue";
  var batchLimit = parseInt(section.dataset.batchLimit, 10) || 500;
  var MIN_INTERVAL_MS = 5000; // one point every five seconds is plenty on foot
  var FLUSH_EVERY_MS = 20000;
  var FLUSH_AT = 20;
  var statusLine = section.querySelector("[data-status-line]");
  var lastTime = 0;
  var sending = null;

  function queue() {
    try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function save(points) {
    try { localStorage.setItem(key, JSON.stringify(points)); } catch (e) { /* full: keep in memory */ }
    section.querySelector("[data-queued]").textContent = String(points.length);
  }
  function say(message, isError) {
    statusLine.textContent = message;
    statusLine.classList.toggle("is-error", !!isError);
  }

  function record(position) {
    var t = position.timestamp || Date.now();
    if (t - lastTime < MIN_INTERVAL_MS) return;
    lastTime = t;
    var points = queue();
    points.push({
      lon: position.coords.longitude,
      lat: position.coords.latitude,
      accuracy: position.coords.accuracy,
      t: t
    });
    save(points);
    say(section.dataset.msgTracking);
    if (points.length >= FLUSH_AT) flush();
  }

  function flush() {
    if (sending) return sending;
    var points = queue();
    if (!points.length) return Promise.resolve(true);
    var batch = points.slice(0, batchLimit);
    sending = fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ crs: "wgs84", points: batch })
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (answer) {
      if (answer.status === 200 || answer.status === 400 || answer.status === 409) {
        // Sent, or refused for good (bad points, an ended patrol): either way not sent again.
        save(queue().slice(batch.length));
      }
      if (answer.body.ok) {
        section.querySelector("[data-distance]").textContent = String(Math.round(answer.body.patrol.distance_m));
        section.querySelector("[data-points]").textContent = String(answer.body.patrol.point_count);
        return true;
      }
      say(answer.body.message || section.dataset.msgRefused, true);
      return false;
    }).catch(function () {
      say(section.dataset.msgOffline, true);
      return false;
    }).finally(function () { sending = null; });
    return sending;
  }

  save(queue());
  if ("geolocation" in navigator) {
    navigator.geolocation.watchPosition(record, function (error) {
      say(error.code === 1 ? section.dataset.msgDenied : section.dataset.msgWaiting, error.code === 1);
    }, { enableHighAccuracy: true, maximumAge: 10000, timeout: 30000 });
  } else {
    say(section.dataset.msgDenied, true);
  }
  setInterval(flush, FLUSH_EVERY_MS);
  document.addEventListener("visibilitychange", function () { if (document.hidden) flush(); });

  var endForm = section.querySelector("[data-end-form]");
  endForm.addEventListener("submit", function (event) {
    if (endForm.dataset.flushed) return;
    event.preventDefault();
    var done = function () { endForm.dataset.flushed = "1"; endForm.submit(); };
    Promise.resolve(flush()).then(done, done);
  });

  window.gridgovPatrol = { flush: flush, record: record, queue: queue };
})();
