/* The location picker of the public form: a click on the map fills the
   latitude and longitude inputs (which work without JavaScript too), and
   typed coordinates move the marker. No inline code: the CSP allows none. */
(function () {
  "use strict";

  function start() {
    var box = document.getElementById("map");
    var lat = document.getElementById("lat");
    var lng = document.getElementById("lng");
    if (!box || !lat || !lng || typeof window.L === "undefined") {
      return;
    }
    var L = window.L;
    box.hidden = false;
    L.Icon.Default.imagePath = "/static/vendor/images/";
    var map = L.map(box).setView([21.0285, 105.8542], 12);
    L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: box.dataset.attribution }).addTo(map);
    var marker = null;

    function show(point) {
      if (marker) {
        marker.setLatLng(point);
      } else {
        marker = L.marker(point, { keyboard: false }).addTo(map);
      }
    }

    function typed() {
      var a = parseFloat(lat.value);
      var b = parseFloat(lng.value);
      return isFinite(a) && isFinite(b) ? L.latLng(a, b) : null;
    }

    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lng.value = event.latlng.lng.toFixed(6);
      show(event.latlng);
    });
    [lat, lng].forEach(function (input) {
      input.addEventListener("change", function () {
        var point = typed();
        if (point) {
          show(point);
          map.panTo(point);
        }
      });
    });
    var first = typed();
    if (first) {
      show(first);
      map.setView(first, 15);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
