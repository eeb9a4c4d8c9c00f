/* Renders every chart on the page with vega-embed (SVG renderer, no external requests) and makes
   the marks of maps and charts reachable by keyboard: focusing a mark shows the same text as the
   mouse tooltip, and Enter on an area of a map opens its profile. */
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
  /* One tab stop per chart (roving tabindex): arrow keys move between its marks, Home/End
     jump to the first/last, so a map of hundreds of areas does not flood the tab order. */
  function focusable(container) {
    var marks = Array.prototype.slice.call(
      container.querySelectorAll('[role="graphics-symbol"][aria-label]'));
    marks.forEach(function (m, i) {
      m.setAttribute("tabindex", i === 0 ? "0" : "-1");
      m.addEventListener("focus", function () {
        var t = tip(), box = m.getBoundingClientRect();
        t.textContent = m.getAttribute("aria-label");
        t.hidden = false;
        t.style.left = (window.scrollX + box.left + box.width / 2) + "px";
        t.style.top = (window.scrollY + box.bottom + 4) + "px";
      });
      m.addEventListener("blur", function () { tip().hidden = true; });
      m.addEventListener("keydown", function (ev) {
        var j = null;
        if (ev.key === "ArrowRight" || ev.key === "ArrowDown") { j = Math.min(i + 1, marks.length - 1); }
        else if (ev.key === "ArrowLeft" || ev.key === "ArrowUp") { j = Math.max(i - 1, 0); }
        else if (ev.key === "Home") { j = 0; }
        else if (ev.key === "End") { j = marks.length - 1; }
        else if (ev.key === "Enter") {
          /* A linked area (a map links to the area profiles): Enter follows the link like a
             click does; Vega resolves the item from the event's target. */
          m.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true }));
          return;
        }
        if (j === null || j === i) { return; }
        ev.preventDefault();
        m.setAttribute("tabindex", "-1");
        marks[j].setAttribute("tabindex", "0");
        marks[j].focus();
      });
    });
  }
  function run() {
    if (typeof vegaEmbed === "undefined") { return; }
    document.querySelectorAll(".vega-chart[data-spec]").forEach(function (div) {
      var script = document.getElementById(div.getAttribute("data-spec"));
      if (!script) { return; }
      var spec = JSON.parse(script.textContent);
      /* Content-Security-Policy without 'unsafe-eval' or inline styles: Vega's expression
         interpreter instead of generated functions (ast), and the embed and tooltip styles
         from site.css instead of injected <style> elements. */
      vegaEmbed(div, spec, {
        renderer: "svg", actions: false, ast: true, defaultStyle: false,
        tooltip: { disableDefaultStyle: true }
      })
        .then(function () { focusable(div); })
        .catch(function (err) { div.textContent = String(err); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", run); }
  else { run(); }
})();
