/* Small behaviours declared in the markup, since the Content-Security-Policy
 * forbids inline handlers (onclick, onfocus):
 *   <button data-print>       prints the page;
 *   <input data-select-on-focus> selects its whole value when focused. */
(function () {
  "use strict";

  function bind() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
      input.addEventListener("focus", function () { input.select(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bind);
  } else {
    bind();
  }
})();
