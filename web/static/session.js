/* Idle-timeout warning with one-click extension (WCAG 2.2.1). Progressive enhancement only: without
   JavaScript the session still ends after 15 idle minutes, and a form sent after that keeps its input.
   Reads its settings from data attributes of <body>; no inline script or style (CSP). */
(function () {
  "use strict";
  var body = document.body;
  var box = document.getElementById("sp-session-warning");
  var text = document.getElementById("sp-session-warning-text");
  var form = document.getElementById("sp-session-extend");
  if (!box || !text || !form || !body.dataset.sessionIdle) { return; }

  var warnBefore = parseInt(body.dataset.sessionWarn, 10) * 1000;
  var statusUrl = body.dataset.sessionStatusUrl;
  var extendUrl = body.dataset.sessionExtendUrl;
  var idleEnd, absoluteEnd, timer;

  function plan(idleSeconds, absoluteSeconds) {
    var now = Date.now();
    idleEnd = now + idleSeconds * 1000;
    absoluteEnd = now + absoluteSeconds * 1000;
    schedule();
  }

  function clock(instant) {
    var d = new Date(instant);
    var hh = String(d.getHours()).padStart(2, "0");
    var mm = String(d.getMinutes()).padStart(2, "0");
    return hh + ":" + mm;
  }

  function end() { return Math.min(idleEnd, absoluteEnd); }

  function schedule() {
    window.clearTimeout(timer);
    var wait = end() - warnBefore - Date.now();
    timer = window.setTimeout(check, Math.max(0, wait));
  }

  function show(kind) {
    var absolute = kind === "absolute";
    var template = text.dataset[kind === "expired" ? "textExpired" : (absolute ? "textAbsolute" : "textIdle")];
    text.textContent = template.replace("{time}", clock(end()));
    form.hidden = kind !== "idle";
    if (box.hidden) { box.hidden = false; }
  }

  function expire() { show("expired"); }

  /* Another tab may have extended the session: ask the server (asking does not extend it). */
  function check() {
    fetch(statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (!data.signed_in) { expire(); return; }
        var now = Date.now();
        idleEnd = now + data.idle * 1000;
        absoluteEnd = now + data.absolute * 1000;
        if (end() - now > warnBefore + 1000) { box.hidden = true; schedule(); return; }
        show(absoluteEnd <= idleEnd ? "absolute" : "idle");
        window.clearTimeout(timer);
        timer = window.setTimeout(expireOrRecheck, Math.max(0, end() - Date.now()) + 1000);
      })
      .catch(function () { show(absoluteEnd <= idleEnd ? "absolute" : "idle"); });
  }

  function expireOrRecheck() {
    fetch(statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) { if (data.signed_in) { plan(data.idle, data.absolute); box.hidden = true; } else { expire(); } })
      .catch(expire);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var token = document.querySelector('meta[name="csrf-token"]');
    fetch(extendUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token ? token.content : "" }
    })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (data) { box.hidden = true; plan(data.idle, data.absolute); })
      .catch(function () { form.submit(); });
  });

  plan(parseInt(body.dataset.sessionIdle, 10), parseInt(body.dataset.sessionAbsolute, 10));
})();
