// Kiosk: clear the screen after a quiet spell, warning first; Escape clears at once.
// The server also ends an idle kiosk session on its next request, so this is for the
// screen in front of the next person, not the only safeguard.
(function () {
  "use strict";
  var body = document.body;
  var idleSeconds = parseInt(body.getAttribute("data-idle-seconds"), 10) || 120;
  var warnFor = Math.min(30, Math.floor(idleSeconds / 2));
  var form = document.getElementById("finish-and-clear");
  var warning = document.getElementById("idle-warning");
  var countdown = document.getElementById("idle-countdown");
  var stay = document.getElementById("idle-stay");
  var quietTimer = null;
  var tickTimer = null;
  var stillHereUrl = body.getAttribute("data-still-here-url");
  var lastPing = Date.now();

  // Typing a long answer saves nothing until Continue: tell the server, now and then,
  // that someone is here, so that it does not clear the session as idle.
  function ping() {
    if (!stillHereUrl || !form || Date.now() - lastPing < 30000) { return; }
    lastPing = Date.now();
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    window.fetch(stillHereUrl, {method: "POST", credentials: "same-origin",
      headers: {"X-CSRFToken": token ? token.value : ""}}).catch(function () {});
  }

  function finish() { if (form) { form.submit(); } }

  function warn() {
    var left = warnFor;
    warning.hidden = false;
    countdown.textContent = String(left);
    stay.focus();
    tickTimer = window.setInterval(function () {
      left -= 1;
      countdown.textContent = String(left);
      if (left <= 0) { window.clearInterval(tickTimer); finish(); }
    }, 1000);
  }

  function active() {
    window.clearTimeout(quietTimer);
    window.clearInterval(tickTimer);
    if (warning) { warning.hidden = true; }
    quietTimer = window.setTimeout(warn, (idleSeconds - warnFor) * 1000);
  }

  ["pointerdown", "keydown", "touchstart", "input"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (name === "keydown" && event.key === "Escape") { finish(); return; }
      active();
      ping();
    }, { passive: true });
  });
  if (stay) { stay.addEventListener("click", active); }
  active();
})();
