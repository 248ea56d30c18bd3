// Browser notifications for the report being written (issue 14): ticking the box
// registers a service worker, subscribes to Web Push with the province's VAPID
// key, registers this browser as a device (POST /api/v1/devices) and puts the
// device's secret into the form, which sends it with the report. Any failure
// unticks the box: the report can always be sent without notifications.
(function () {
  "use strict";
  var box = document.getElementById("web_push");
  var secret = document.getElementById("device_secret");
  var status = document.getElementById("web_push_status");
  if (!box || !secret || !status) return;
  var send = box.form.querySelector('button[type="submit"]');

  function say(name) {
    status.textContent = name ? box.getAttribute("data-" + name) || "" : "";
  }

  // The key arrives as base64url; pushManager.subscribe takes its bytes.
  function keyBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function subscribe() {
    return navigator.serviceWorker
      .register("/sw.js")
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        return registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(box.getAttribute("data-application-server-key")),
        });
      });
  }

  function register(subscription) {
    var locale = document.documentElement.lang === "en" ? "en" : "vi";
    return fetch("/api/v1/devices", {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ platform: "web", push_token: subscription.toJSON(), locale: locale }),
    }).then(function (response) {
      if (response.status !== 201) throw new Error("devices: " + response.status);
      return response.json();
    });
  }

  function failed(error) {
    box.checked = false;
    secret.value = "";
    var denied = (error && error.name === "NotAllowedError") || window.Notification.permission === "denied";
    say(denied ? "denied" : "failed");
  }

  function optIn() {
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
      box.checked = false;
      say("unsupported");
      return;
    }
    say("working");
    if (send) send.disabled = true; // a report sent now would go without the secret
    subscribe()
      .then(register)
      .then(function (device) {
        if (!box.checked) return; // unticked meanwhile
        secret.value = device.device_secret;
        say("done");
      })
      .catch(failed)
      .then(function () {
        if (send) send.disabled = false;
      });
  }

  box.addEventListener("change", function () {
    if (!box.checked) {
      secret.value = "";
      say("");
    } else if (!secret.value) {
      optIn();
    }
  });
})();
