/* Territory picker (territory/_territory_picker.html): search and pick communes,
 * EPCI and départements, draw polygons with Leaflet.draw, keep the form's plain
 * fields (comma-separated codes, GeoJSON text) filled. Without this script those
 * fields are shown and typed by hand. Every text comes from the page
 * (labels in the picker's JSON config), none is written here. */
(function () {
  "use strict";

  var KINDS = ["communes", "epcis", "departements"];
  var CODE_OF = { communes: "insee", epcis: "siren", departements: "code" };
  var STYLES = {
    communes: { color: "#0b5c8a", weight: 2, fillOpacity: 0.15 },
    epcis: { color: "#6f42c1", weight: 2, fillOpacity: 0.12 },
    departements: { color: "#1a7f37", weight: 2, fillOpacity: 0.08 },
    drawn: { color: "#b3401a", weight: 3, fillOpacity: 0.2 },
  };
  var mapConfig = null;

  function format(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (match, key) {
      return key in values ? values[key] : match;
    });
  }

  // Accent-, case- and punctuation-free, like the server's search key.
  function searchKey(text) {
    return String(text).normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/[^a-z0-9]/g, "");
  }

  function splitCodes(value) {
    return String(value || "").split(/[,;]/).map(function (code) { return code.trim(); })
      .filter(function (code) { return code; });
  }

  function Picker(root) {
    this.root = root;
    this.config = JSON.parse(document.getElementById(root.dataset.configId).textContent);
    this.labels = this.config.labels;
    var prefix = root.dataset.prefix ? root.dataset.prefix + "-" : "";
    var form = root.closest("form") || document;
    function field(name) { return form.querySelector('[name="' + prefix + name + '"]'); }
    this.fields = {
      communes: field("communes"),
      epcis: field("epcis"),
      departements: field("departements"),
      drawn: field("drawn"),
    };
    this.search = root.querySelector("[data-tp-search]");
    this.list = root.querySelector("[data-tp-suggestions]");
    this.status = root.querySelector("[data-tp-status]");
    this.chips = root.querySelector("[data-tp-chips]");
    this.picked = [];  // {kind, code, name}
    this.outlines = {};  // "kind:code" → Leaflet layer
    this.suggestions = [];
    this.active = -1;
    this.departements = null;
    this.requestNumber = 0;
  }

  Picker.prototype.start = function () {
    var self = this;
    this.root.querySelector("[data-tp-plain]").hidden = true;
    this.root.querySelector("[data-tp-enhanced]").hidden = false;
    this.startMap();
    this.config.picked.forEach(function (unit) { self.add(unit, { quiet: true }); });
    var timer = null;
    this.search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { self.suggest(self.search.value); }, 200);
    });
    this.search.addEventListener("keydown", function (event) { self.onKey(event); });
    this.search.addEventListener("blur", function () {
      setTimeout(function () { self.close(); }, 150);
    });
    this.root.dataset.ready = "true";
  };

  // --- Map and drawing -------------------------------------------------------

  Picker.prototype.startMap = function () {
    var self = this;
    mapConfig = mapConfig || JSON.parse(document.getElementById("crig-map-config").textContent);
    var element = this.root.querySelector("[data-tp-map]");
    var map = L.map(element, { scrollWheelZoom: false });
    this.map = map;
    L.tileLayer(mapConfig.tilesUrl, { attribution: mapConfig.attribution, maxZoom: 18 }).addTo(map);
    map.setView([43.7, 2.2], 7);
    this.unitsLayer = L.featureGroup().addTo(map);
    this.drawnLayer = L.featureGroup().addTo(map);
    if (L.drawLocal && this.labels.draw) { mergeInto(L.drawLocal, this.labels.draw); }
    map.addControl(new L.Control.Draw({
      position: "topleft",
      draw: {
        polygon: { allowIntersection: false, showArea: false, shapeOptions: STYLES.drawn },
        // showArea off: Leaflet.draw 1.0.4's area label breaks with Leaflet 1.9.
        rectangle: { showArea: false, shapeOptions: STYLES.drawn },
        polyline: false, circle: false, marker: false, circlemarker: false,
      },
      edit: { featureGroup: this.drawnLayer },
    }));
    map.on(L.Draw.Event.CREATED, function (event) {
      self.drawnLayer.addLayer(event.layer);
      self.writeDrawn();
    });
    map.on(L.Draw.Event.EDITED + " " + L.Draw.Event.DELETED, function () { self.writeDrawn(); });
    this.readDrawn();
  };

  function mergeInto(target, source) {
    Object.keys(source).forEach(function (key) {
      if (source[key] && typeof source[key] === "object" && target[key]) {
        mergeInto(target[key], source[key]);
      } else {
        target[key] = source[key];
      }
    });
  }

  Picker.prototype.readDrawn = function () {
    var self = this;
    var text = this.fields.drawn && this.fields.drawn.value.trim();
    if (!text) { return; }
    try {
      L.geoJSON(JSON.parse(text), { style: STYLES.drawn }).eachLayer(function (layer) {
        self.drawnLayer.addLayer(layer);
      });
    } catch (error) {
      return;  // The server says what is wrong with it.
    }
    this.fit();
  };

  Picker.prototype.writeDrawn = function () {
    var collection = this.drawnLayer.toGeoJSON();
    this.fields.drawn.value = collection.features.length ? JSON.stringify(collection) : "";
    var count = collection.features.length;
    this.announce(count ? format(this.labels.drawnCount, { count: count }) : "");
  };

  Picker.prototype.fit = function () {
    var bounds = L.latLngBounds([]);
    [this.unitsLayer, this.drawnLayer].forEach(function (layer) {
      var layerBounds = layer.getBounds();
      if (layerBounds.isValid()) { bounds.extend(layerBounds); }
    });
    if (bounds.isValid()) { this.map.fitBounds(bounds, { padding: [12, 12], maxZoom: 13 }); }
  };

  Picker.prototype.showOutline = function (unit) {
    var self = this;
    var kindUrl = { communes: "commune", epcis: "epci", departements: "departement" }[unit.kind];
    var url = this.config.urls[kindUrl].replace("CODE", encodeURIComponent(unit.code));
    fetch(url + "?format=geojson", { headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (feature) {
        var key = unit.kind + ":" + unit.code;
        if (!self.isPicked(unit)) { return; }  // removed meanwhile
        var layer = L.geoJSON(feature, { style: STYLES[unit.kind], interactive: false });
        self.outlines[key] = layer;
        self.unitsLayer.addLayer(layer);
        self.fit();
      })
      .catch(function () {
        self.announce(format(self.labels.outlineFailed, { name: unit.name }));
      });
  };

  // --- Picked units ------------------------------------------------------------

  Picker.prototype.isPicked = function (unit) {
    return this.picked.some(function (item) {
      return item.kind === unit.kind && item.code === unit.code;
    });
  };

  Picker.prototype.add = function (unit, options) {
    if (this.isPicked(unit)) { return; }
    this.picked.push(unit);
    this.renderChips();
    this.writeCodes();
    this.showOutline(unit);
    if (!(options && options.quiet)) {
      this.announce(format(this.labels.added, { name: unit.name }));
    }
  };

  Picker.prototype.remove = function (unit) {
    var key = unit.kind + ":" + unit.code;
    this.picked = this.picked.filter(function (item) {
      return !(item.kind === unit.kind && item.code === unit.code);
    });
    if (this.outlines[key]) {
      this.unitsLayer.removeLayer(this.outlines[key]);
      delete this.outlines[key];
    }
    this.renderChips();
    this.writeCodes();
    this.announce(format(this.labels.removed, { name: unit.name }));
    this.search.focus();
  };

  Picker.prototype.writeCodes = function () {
    var self = this;
    KINDS.forEach(function (kind) {
      if (!self.fields[kind]) { return; }
      self.fields[kind].value = self.picked.filter(function (unit) { return unit.kind === kind; })
        .map(function (unit) { return unit.code; }).join(",");
    });
  };

  Picker.prototype.renderChips = function () {
    var self = this;
    this.chips.textContent = "";
    this.picked.forEach(function (unit) {
      var item = document.createElement("li");
      item.className = "tp-chip tp-chip-" + unit.kind;
      var text = document.createElement("span");
      text.textContent = unit.name + " (" + self.labels.kinds[unit.kind] + ")";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "tp-chip-remove";
      button.setAttribute("aria-label", format(self.labels.remove, { name: unit.name }));
      button.textContent = "×";
      button.addEventListener("click", function () { self.remove(unit); });
      item.appendChild(text);
      item.appendChild(button);
      self.chips.appendChild(item);
    });
  };

  // --- Search and suggestions ----------------------------------------------------

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    });
  }

  Picker.prototype.loadDepartements = function () {
    if (!this.departements) {
      this.departements = getJSON(this.config.urls.departements + "?limit=1000")
        .then(function (page) { return page.items; });
    }
    return this.departements;
  };

  Picker.prototype.suggest = function (query) {
    var self = this;
    query = query.trim();
    var number = ++this.requestNumber;
    if (query.length < 2) { this.close(); return; }
    var q = encodeURIComponent(query);
    var key = searchKey(query);
    Promise.all([
      getJSON(this.config.urls.communes + "?limit=6&q=" + q),
      getJSON(this.config.urls.epcis + "?limit=4&q=" + q),
      this.loadDepartements(),
    ]).then(function (results) {
      if (number !== self.requestNumber) { return; }  // a newer search is under way
      var units = [];
      results[1].items.forEach(function (epci) {
        units.push({ kind: "epcis", code: epci.siren, name: epci.name, detail: "" });
      });
      results[2].forEach(function (departement) {
        if (searchKey(departement.name).indexOf(key) !== -1 || departement.code.toLowerCase() === query.toLowerCase()) {
          units.unshift({ kind: "departements", code: departement.code, name: departement.name, detail: departement.code });
        }
      });
      results[0].items.forEach(function (commune, index) {
        units.splice(index, 0, { kind: "communes", code: commune.insee, name: commune.name, detail: commune.departement });
      });
      self.open(units);
    }).catch(function () {
      if (number === self.requestNumber) { self.close(); self.announce(self.labels.searchFailed); }
    });
  };

  Picker.prototype.open = function (units) {
    var self = this;
    this.suggestions = units;
    this.active = -1;
    this.list.textContent = "";
    units.forEach(function (unit, index) {
      var option = document.createElement("li");
      option.id = self.list.id + "-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.className = "tp-suggestion";
      var name = document.createElement("span");
      name.textContent = unit.name;
      var detail = document.createElement("span");
      detail.className = "tp-suggestion-detail";
      detail.textContent = self.labels.kinds[unit.kind] + (unit.detail ? " · " + unit.detail : "");
      option.appendChild(name);
      option.appendChild(detail);
      // mousedown, not click: it comes before the input's blur closes the list.
      option.addEventListener("mousedown", function (event) {
        event.preventDefault();
        self.choose(index);
      });
      self.list.appendChild(option);
    });
    if (!units.length) {
      var empty = document.createElement("li");
      empty.className = "tp-suggestion-empty";
      empty.textContent = this.labels.noMatch;
      this.list.appendChild(empty);
    }
    this.list.hidden = false;
    this.search.setAttribute("aria-expanded", "true");
    this.announce(units.length ? format(this.labels.suggestions, { count: units.length }) : this.labels.noMatch);
  };

  Picker.prototype.close = function () {
    this.list.hidden = true;
    this.list.textContent = "";
    this.suggestions = [];
    this.active = -1;
    this.search.setAttribute("aria-expanded", "false");
    this.search.removeAttribute("aria-activedescendant");
  };

  Picker.prototype.highlight = function (index) {
    var options = this.list.querySelectorAll("[role=option]");
    if (!options.length) { return; }
    this.active = (index + options.length) % options.length;
    options.forEach(function (option, position) {
      option.setAttribute("aria-selected", position === this.active ? "true" : "false");
    }, this);
    var current = options[this.active];
    this.search.setAttribute("aria-activedescendant", current.id);
    current.scrollIntoView({ block: "nearest" });
  };

  Picker.prototype.choose = function (index) {
    var unit = this.suggestions[index];
    if (!unit) { return; }
    this.add({ kind: unit.kind, code: unit.code, name: unit.name });
    this.search.value = "";
    this.close();
  };

  Picker.prototype.onKey = function (event) {
    var open = !this.list.hidden && this.suggestions.length;
    if (event.key === "ArrowDown" && open) {
      event.preventDefault();
      this.highlight(this.active + 1);
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      this.highlight(this.active - 1);
    } else if (event.key === "Enter") {
      // Enter in the search box never submits the page's form.
      event.preventDefault();
      if (open) { this.choose(this.active >= 0 ? this.active : 0); }
    } else if (event.key === "Escape" && !this.list.hidden) {
      event.preventDefault();
      this.close();
    }
  };

  Picker.prototype.announce = function (text) {
    if (this.status) { this.status.textContent = text; }
  };

  function startAll() {
    if (!window.L || !L.Control || !L.Control.Draw) { return; }  // keep the plain fields
    document.querySelectorAll("[data-territory-picker]").forEach(function (root) {
      if (root.dataset.ready) { return; }
      new Picker(root).start();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
})();
