/* Draws the GeoJSON of every [data-crig-map] element on a Leaflet map.
 * Base map and attribution come from the server's settings (crig-map-config).
 * Features may carry properties.name, properties.url and properties.style. */
(function () {
  "use strict";
  var config = null;

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function draw(element) {
    config = config || JSON.parse(document.getElementById("crig-map-config").textContent);
    var map = L.map(element, { scrollWheelZoom: false });
    L.tileLayer(config.tilesUrl, { attribution: config.attribution, maxZoom: 18 }).addTo(map);
    map.setView([43.7, 2.2], 7);
    fetch(element.dataset.geojsonUrl, { headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (geojson) {
        var layer = L.geoJSON(geojson, {
          style: function (feature) {
            var style = (feature.properties && feature.properties.style) || {};
            return Object.assign({ color: "#0b5c8a", weight: 1.5, fillOpacity: 0.15 }, style);
          },
          onEachFeature: function (feature, featureLayer) {
            var p = feature.properties || {};
            if (!p.name) { return; }
            var html = p.url
              ? '<a href="' + encodeURI(p.url) + '">' + escapeHtml(p.name) + "</a>"
              : escapeHtml(p.name);
            featureLayer.bindPopup(html);
          },
        }).addTo(map);
        var bounds = layer.getBounds();
        if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); }
        element.dataset.loaded = "true";
      })
      .catch(function () {
        element.insertAdjacentHTML("beforeend",
          '<p class="map-error" role="alert">' + escapeHtml(element.dataset.errorText || "Carte indisponible.") + "</p>");
      });
  }

  function drawAll() { document.querySelectorAll("[data-crig-map]").forEach(draw); }
  // The assets may be included in <head> or at the end of <body>.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
