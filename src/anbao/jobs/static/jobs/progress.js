/* Live job progress: polls GET /api/jobs/<id>/ for every unfinished job on the page and
   updates its <progress>, state, message and (on the detail page) log. No framework, no
   inline script (CSP). Polling stops when no job on the page is still running. */
(function () {
  "use strict";
  var INTERVAL_MS = 2000;
  var STATE_CSS = { succeeded: "ok", failed: "bad", cancelled: "warn" };

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function formatTime(iso) {
    if (!iso) { return "—"; }
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return iso; }
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }

  function setText(root, field, text) {
    var el = root.querySelector('[data-field="' + field + '"]');
    if (el && el.textContent !== text) { el.textContent = text; }
    return el;
  }

  function apply(root, job) {
    var bar = root.querySelector('progress[data-field="progress"]');
    if (bar) { bar.value = job.progress; bar.textContent = job.progress + "%"; }
    setText(root, "progress_text", job.progress + "%");
    var state = setText(root, "state_label", job.state_label);
    if (state) { state.className = STATE_CSS[job.state] || ""; }
    setText(root, "message", job.message || "");
    setText(root, "started_at", formatTime(job.started_at));
    setText(root, "finished_at", formatTime(job.finished_at));
    if (typeof job.error === "string") { setText(root, "error", job.error); }
    if (typeof job.log === "string") {
      var log = root.querySelector('[data-field="log"]');
      if (log && log.textContent !== job.log) {
        var atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
        log.textContent = job.log;
        if (atEnd) { log.scrollTop = log.scrollHeight; }
      }
    }
    if (job.finished) {
      root.setAttribute("data-finished", "1");
      if (root.hasAttribute("data-detail")) {
        // The result and the buttons depend on the final state: show the server's page.
        window.location.reload();
      }
    }
  }

  function poll() {
    var pending = document.querySelectorAll('[data-job][data-finished="0"]');
    if (!pending.length) { return; }
    var requests = Array.prototype.map.call(pending, function (root) {
      return fetch(root.getAttribute("data-api"), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }).then(function (job) { apply(root, job); });
    });
    Promise.all(requests).catch(function () { /* try again on the next tick */ })
      .then(function () { window.setTimeout(poll, INTERVAL_MS); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    window.setTimeout(poll, INTERVAL_MS);
  });
}());
