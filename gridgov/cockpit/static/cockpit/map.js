/* The cockpit's case map: on the grid map (gridgov/map.js) add the cases of a period as points
   and as a heat layer (leaflet.heat), and list the hotspots beside the map. */
(function () {
  "use strict";
  var element = document.getElementById("grid-map");
  if (!element || !window.L) return;
  var text = JSON.parse(document.getElementById("map-text").textContent);
  var map = element.gridgovMap;
  if (!map) {
    map = L.map(element, { zoomSnap: 0.25, attributionControl: false });
    element.classList.add("no-tiles");
  }
  function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  fetch(element.dataset.points, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
    .then(function (data) {
      var dots = L.layerGroup();
      var latlngs = [];
      data.points.forEach(function (p) {
        latlngs.push([p.lat, p.lon, 1]);
        L.circleMarker([p.lat, p.lon], { radius: 4, color: "#c62828", weight: 1, fillOpacity: 0.8 })
          .bindPopup('<a href="' + escapeHtml(p.url) + '">' + escapeHtml(p.number) + "</a><br>" + escapeHtml(p.title) + (p.address ? "<br>" + escapeHtml(p.address) : ""))
          .addTo(dots);
      });
      var overlays = {};
      overlays[text.points_layer] = dots;
      if (L.heatLayer) {
        var heat = L.heatLayer(latlngs, { radius: 22, blur: 18, maxZoom: 17 });
        overlays[text.heat_layer] = heat;
        heat.addTo(map);
      }
      dots.addTo(map);
      L.control.layers(null, overlays, { collapsed: false }).addTo(map);
      if (!element.dataset.url && latlngs.length) map.fitBounds(L.latLngBounds(latlngs.map(function (l) { return [l[0], l[1]]; })));
      document.getElementById("points-summary").textContent =
        text.points + ": " + data.points.length + (data.capped ? " (" + text.capped + ")" : "");
      var list = document.getElementById("hotspots");
      list.innerHTML = data.hotspots.length ? data.hotspots.map(function (s, index) {
        return '<li data-hotspot="' + index + '" data-count="' + s.count + '"><span><a href="#" data-pan="' + index + '">' +
          escapeHtml(s.address || s.lat.toFixed(3) + ", " + s.lon.toFixed(3)) + '</a> · <a href="' + escapeHtml(s.area_url) + '">' +
          escapeHtml(s.area) + '</a> · <a href="' + escapeHtml(s.url) + '">' + escapeHtml(text.cases) + "</a></span><strong>" + s.count + "</strong></li>";
      }).join("") : '<li class="muted">' + escapeHtml(text.noSpots) + "</li>";
      list.addEventListener("click", function (event) {
        var link = event.target.closest("[data-pan]");
        if (!link) return;
        event.preventDefault();
        var s = data.hotspots[Number(link.dataset.pan)];
        map.setView([s.lat, s.lon], Math.max(map.getZoom(), 16));
      });
      element.dataset.pointsCount = String(data.points.length);
      element.dataset.pointsLoaded = "true";
    })
    .catch(function () {
      document.getElementById("points-summary").textContent = text.failed;
      element.dataset.pointsLoaded = "error";
    });
})();
