/* The public map of a community's cases: the grids drawn from their polygons (no tiles), one
   dot per case, a tap opens the case's public page. */
(function () {
  "use strict";
  var box = document.querySelector("[data-public-map]");
  if (!box || !window.L) return;
  var map = L.map(box, { attributionControl: false });
  map.setView([30, 120], 13);
  var template = box.dataset.caseUrl;
  var colours = { closed: "#15803d", rated: "#15803d", resolved: "#0f766e", verified: "#0f766e" };
  Promise.all([
    fetch(box.dataset.gridsUrl).then(function (r) { return r.json(); }),
    fetch(box.dataset.casesUrl).then(function (r) { return r.json(); })
  ]).then(function (data) {
    var grids = L.geoJSON(data[0], { style: { color: "#64748b", weight: 1, fillOpacity: 0.04 } }).addTo(map);
    var cases = L.geoJSON(data[1], {
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { radius: 7, color: colours[feature.properties.status] || "#b45309", fillOpacity: 0.8 });
      },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(feature.properties.title + " · " + feature.properties.status_label);
        layer.on("click", function () {
          window.location.href = template.replace("00000000-0000-0000-0000-000000000000", feature.properties.uid);
        });
      }
    }).addTo(map);
    var bounds = cases.getLayers().length ? cases.getBounds() : grids.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { maxZoom: 17 });
  });
})();
