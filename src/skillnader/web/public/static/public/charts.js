/* Renders every chart on the page with vega-embed (SVG renderer, no external requests) and makes
   the marks of maps and charts reachable by keyboard: each mark with an ARIA label gets a tab
   stop, and focusing it shows the same text as the mouse tooltip. */
(function () {
  "use strict";
  function tip() {
    var el = document.getElementById("chart-tooltip");
    if (!el) {
      el = document.createElement("div");
      el.id = "chart-tooltip";
      el.setAttribute("role", "status");
      el.hidden = true;
      document.body.appendChild(el);
    }
    return el;
  }
  function focusable(container) {
    var marks = container.querySelectorAll('[role="graphics-symbol"][aria-label]');
    marks.forEach(function (m) {
      m.setAttribute("tabindex", "0");
      m.addEventListener("focus", function () {
        var t = tip(), box = m.getBoundingClientRect();
        t.textContent = m.getAttribute("aria-label");
        t.hidden = false;
        t.style.left = (window.scrollX + box.left + box.width / 2) + "px";
        t.style.top = (window.scrollY + box.bottom + 4) + "px";
      });
      m.addEventListener("blur", function () { tip().hidden = true; });
    });
  }
  function run() {
    if (typeof vegaEmbed === "undefined") { return; }
    document.querySelectorAll(".vega-chart[data-spec]").forEach(function (div) {
      var script = document.getElementById(div.getAttribute("data-spec"));
      if (!script) { return; }
      var spec = JSON.parse(script.textContent);
      vegaEmbed(div, spec, { renderer: "svg", actions: false, tooltip: true })
        .then(function () { focusable(div); })
        .catch(function (err) { div.textContent = String(err); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", run); }
  else { run(); }
})();
