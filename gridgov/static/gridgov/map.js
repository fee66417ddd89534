/* The grid map (网格图): polygons of one level, labelled, coloured by a figure, clickable.
   Works with no base map (an intranet); a tile server is used only when configured. */
(function () {
  "use strict";
  var element = document.getElementById("grid-map");
  if (!element || !window.L) return;
  var settings = JSON.parse(document.getElementById("map-settings").textContent);
  var text = JSON.parse(document.getElementById("map-text").textContent);
  var SEQUENTIAL = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];

  var map = L.map(element, { zoomSnap: 0.25, attributionControl: Boolean(settings.tileUrl) });
  element.gridgovMap = map; // other layers (the cockpit's case points) draw on the same map
  if (settings.tileUrl) {
    var options = { attribution: settings.tileAttribution, maxZoom: 19 };
    if (settings.tileSubdomains) options.subdomains = settings.tileSubdomains;
    L.tileLayer(settings.tileUrl, options).addTo(map);
  } else {
    element.classList.add("no-tiles");
  }

  function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // Classes from the values present: one per distinct value when there are few, else quantile
  // breaks (deduplicated), so a street of small grids still shows contrast.
  function quantileColour(values) {
    var distinct = Array.from(new Set(values)).sort(function (a, b) { return a - b; });
    var breaks;
    if (distinct.length <= SEQUENTIAL.length) {
      breaks = distinct.slice(0, -1);
    } else {
      var sorted = values.slice().sort(function (a, b) { return a - b; });
      breaks = [];
      for (var i = 1; i < SEQUENTIAL.length; i++) {
        var cut = sorted[Math.floor((i * sorted.length) / SEQUENTIAL.length)];
        if (breaks.indexOf(cut) < 0) breaks.push(cut);
      }
    }
    // Spread the classes over the palette so two classes are light and dark, not two lights.
    var palette = breaks.length === 0 ? [SEQUENTIAL[2]] : breaks.concat([null]).map(function (_, index, all) {
      return SEQUENTIAL[Math.round((index * (SEQUENTIAL.length - 1)) / (all.length - 1))];
    });
    var colour = function (value) {
      var index = 0;
      while (index < breaks.length && value > breaks[index]) index++;
      return palette[index];
    };
    var low = distinct[0] || 0;
    colour.legend = palette.map(function (c, index) {
      var from = index === 0 ? low : breaks[index - 1] + 1;
      var to = index < breaks.length ? breaks[index] : distinct[distinct.length - 1] || 0;
      return [c, from >= to ? String(to) : from + " – " + to];
    });
    return colour;
  }

  function categoricalColour(categories) {
    var byValue = {};
    categories.forEach(function (c) { byValue[c[0]] = c[1]; });
    var colour = function (value) { return byValue[value] || "#e8ecf1"; };
    colour.legend = categories.map(function (c) { return [c[1], c[2]]; });
    return colour;
  }

  function label(properties) {
    return '<strong>' + escapeHtml(properties.name) + '</strong><br><span class="code">' +
      escapeHtml(properties.code) + "</span>" +
      (properties.leader ? "<br>" + escapeHtml(properties.leader) : "");
  }

  fetch(element.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    })
    .then(function (data) {
      var features = data.features;
      var legend = document.getElementById("map-legend");
      var tbody = document.querySelector("#map-table tbody");
      if (!features.length) {
        legend.textContent = text.empty;
        map.setView([30, 120], 4);
        return;
      }
      var figure = data.figure || { kind: "sequential" };
      var values = features.map(function (f) { return f.properties.value; });
      var colour = figure.kind === "categorical" ? categoricalColour(figure.categories) : quantileColour(values);
      var layers = {};
      var layer = L.geoJSON(data, {
        style: function (feature) {
          return { color: "#3e4c59", weight: 1.2, fillColor: colour(feature.properties.value), fillOpacity: 0.7 };
        },
        onEachFeature: function (feature, polygon) {
          var p = feature.properties;
          layers[p.id] = polygon;
          polygon.bindTooltip(label(p), { permanent: true, direction: "center", className: "area-label" });
          polygon.on("click", function () { window.location.href = p.url; });
          polygon.on("mouseover", function () { polygon.setStyle({ weight: 3, color: "#1a56db" }); });
          polygon.on("mouseout", function () { layer.resetStyle(polygon); });
        },
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [12, 12] });
      // Many small polygons: labels only once zoomed in far enough to read them.
      var fittedZoom = map.getZoom();
      function toggleLabels() {
        element.classList.toggle("labels-hidden", features.length > 60 && map.getZoom() < fittedZoom + 1);
      }
      map.on("zoomend", toggleLabels);
      toggleLabels();

      legend.innerHTML = colour.legend.map(function (entry) {
        return '<div><span class="swatch" style="background:' + entry[0] + '"></span>' + escapeHtml(entry[1]) + "</div>";
      }).join("");
      var categoryLabel = {};
      (figure.categories || []).forEach(function (c) { categoryLabel[c[0]] = c[2]; });
      tbody.innerHTML = features.map(function (f) {
        var p = f.properties;
        var shown = figure.kind === "categorical" ? categoryLabel[p.value] || p.value : p.value;
        return '<tr data-area="' + p.id + '"><td><a href="' + escapeHtml(p.url) + '">' + escapeHtml(p.code) + "</a></td><td>" +
          escapeHtml(p.name) + "</td><td>" + escapeHtml(p.leader || "—") + '</td><td class="num">' + escapeHtml(shown) + "</td></tr>";
      }).join("");
      tbody.addEventListener("mouseover", function (event) {
        var row = event.target.closest("tr[data-area]");
        if (row && layers[row.dataset.area]) layers[row.dataset.area].fire("mouseover");
      });
      tbody.addEventListener("mouseout", function (event) {
        var row = event.target.closest("tr[data-area]");
        if (row && layers[row.dataset.area]) layers[row.dataset.area].fire("mouseout");
      });
      element.dataset.loaded = String(features.length);
    })
    .catch(function () {
      document.getElementById("map-legend").textContent = text.failed;
      element.dataset.loaded = "error";
    });
})();
