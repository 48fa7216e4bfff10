/* Subscriptions form: the communes' picker is needed only for "communes I
 * choose": hidden otherwise (without JavaScript it stays in view). Leaflet
 * measures its map again on a window resize, once the picker shows. */
(function () {
  "use strict";

  function bind() {
    var picker = document.getElementById("chosen-communes");
    var radios = document.querySelectorAll('input[name="territory"]');
    if (!picker || !radios.length) { return; }
    function update() {
      var chosen = document.querySelector('input[name="territory"][value="chosen"]');
      picker.hidden = !(chosen && chosen.checked);
      if (!picker.hidden) { window.dispatchEvent(new Event("resize")); }
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bind);
  } else {
    bind();
  }
})();
