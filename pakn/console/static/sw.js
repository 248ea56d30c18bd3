// The public pages' service worker (issue 14), served at /sw.js so that its
// scope is the whole site: shows each notice PAKN pushes about a report
// ({title, body, data} from pakn/notify/webpush.py) and, when one is clicked,
// opens the tracking page (where the private link shows the report, public or not).
"use strict";

var TRACK = "/track";

self.addEventListener("push", function (event) {
  var message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (error) {
    message = { body: event.data ? event.data.text() : "" };
  }
  var data = message.data || {};
  event.waitUntil(
    self.registration.showNotification(message.title || "PAKN", {
      body: message.body || "",
      // A resent notice has the same tag: it replaces the one shown, not adds another.
      tag: data.notice_id || "",
      data: data,
    })
  );
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  event.waitUntil(self.clients.openWindow(TRACK));
});
