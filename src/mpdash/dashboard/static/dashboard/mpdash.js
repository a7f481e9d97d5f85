/* The screens' own script. The Content-Security-Policy allows scripts from our static files
   only (no inline scripts, no inline event handlers, no inline styles), so what used to be
   inline lives here:
   - forms with data-confirm="…" ask before they submit;
   - elements with data-percent="n" get that width (progress bars);
   - .trend-chart elements become Chartkick column charts, their data in the json_script
     element named by data-series. Runs on load and on every piece htmx swaps in. */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  function enhance(root) {
    root.querySelectorAll("[data-percent]").forEach(function (el) {
      el.style.width = Math.max(0, Math.min(100, parseFloat(el.getAttribute("data-percent")) || 0)) + "%";
    });
    if (window.Chartkick) {
      root.querySelectorAll(".trend-chart:not([data-drawn])").forEach(function (el) {
        var data = JSON.parse(document.getElementById(el.getAttribute("data-series")).textContent);
        el.setAttribute("data-drawn", "1");
        new window.Chartkick.ColumnChart(el.id, data, {colors: ["#3566d6"], min: 0, library: {scales: {y: {ticks: {precision: 0}}}}});
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.target.parentNode || document); });
})();
