// The private link (/track#code=...&token=...) keeps the secret after "#", which
// the browser never sends: fill the form from it, forget it from the address bar
// and history, and send the form (a POST, so the secret is in no URL or log).
(function () {
  "use strict";
  var form = document.getElementById("track-form");
  if (!form || !window.location.hash) return;
  var params = new URLSearchParams(window.location.hash.slice(1));
  var code = params.get("code"), token = params.get("token");
  history.replaceState(null, "", window.location.pathname);
  if (!code || !token) return;
  form.elements.namedItem("code").value = code;
  form.elements.namedItem("token").value = token;
  form.submit();
})();
