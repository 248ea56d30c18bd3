// The report's map (templates/report.html): a Leaflet map with one marker.
// The marker's images are this site's own, so it shows even when no tile loads;
// the coordinates are also printed as text for readers without JavaScript.
(function () {
  "use strict";
  var box = document.getElementById("map");
  if (!box || typeof L === "undefined") {
    return;
  }
  var lat = parseFloat(box.dataset.lat);
  var lng = parseFloat(box.dataset.lng);
  if (!isFinite(lat) || !isFinite(lng)) {
    return;
  }
  // Leaflet writes the attribution as HTML: give it text only.
  var text = document.createElement("span");
  text.textContent = box.dataset.attribution || "";
  var images = "/static/vendor/images/";
  L.Icon.Default.imagePath = images;
  var icon = L.icon({
    iconUrl: images + "marker-icon.png",
    iconRetinaUrl: images + "marker-icon-2x.png",
    shadowUrl: images + "marker-shadow.png",
    iconSize: [25, 41],
    iconAnchor: [12, 41],
    popupAnchor: [1, -34],
    shadowSize: [41, 41]
  });
  var map = L.map(box, { scrollWheelZoom: false }).setView([lat, lng], 16);
  if (box.dataset.tiles) {
    L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: text.innerHTML }).addTo(map);
  }
  // The marker's name comes from the page, in the page's language.
  var label = box.dataset.marker || "";
  L.marker([lat, lng], { icon: icon, alt: label, title: label }).addTo(map);
})();
