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
  function marksOf(container) {
    return Array.prototype.slice.call(
      container.querySelectorAll('[role="graphics-symbol"][aria-label]'));
  }
  function focusable(container) {
    var marks = marksOf(container);
    var current = marks.filter(function (m) { return m.getAttribute("tabindex") === "0"; });
    marks.forEach(function (m, i) {
      if (!current.length || m !== current[0]) {
        m.setAttribute("tabindex", (!current.length && i === 0) ? "0" : "-1");
      }
      if (m.getAttribute("data-keyboard")) { return; }
      m.setAttribute("data-keyboard", "1");
      m.addEventListener("focus", function () {
        var t = tip(), box = m.getBoundingClientRect();
        t.textContent = m.getAttribute("aria-label");
        t.hidden = false;
        t.style.left = (window.scrollX + box.left + box.width / 2) + "px";
        t.style.top = (window.scrollY + box.bottom + 4) + "px";
      });
      m.addEventListener("blur", function () { tip().hidden = true; });
      m.addEventListener("keydown", function (ev) {
        var all = marksOf(container), k = all.indexOf(m), j = null;
        if (ev.key === "ArrowRight" || ev.key === "ArrowDown") { j = Math.min(k + 1, all.length - 1); }
        else if (ev.key === "ArrowLeft" || ev.key === "ArrowUp") { j = Math.max(k - 1, 0); }
        else if (ev.key === "Home") { j = 0; }
        else if (ev.key === "End") { j = all.length - 1; }
        else if (ev.key === "Enter") {
          /* A linked area (a map links to the area profiles): Enter follows the link like a
             click does; Vega resolves the item from the event's target. */
          m.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true }));
          return;
        }
        if (j === null || j === k || k < 0) { return; }
        ev.preventDefault();
        m.setAttribute("tabindex", "-1");
        all[j].setAttribute("tabindex", "0");
        all[j].focus();
      });
    });
  }
  /* Vega describes its marks to screen readers with English role names ("geoshape", "bar",
     "line mark", "group mark container"). The marks' own labels are in the page's language
     (set in the specs); the role names are translated here and the containers' dropped. */
  var ROLES = {
    sv: { visualization: "diagram", geoshape: "område", bar: "stapel", point: "punkt", "line mark": "linje",
          "rule mark": "referenslinje", "symbol mark": "symbol", "text mark": "text",
          "area mark": "intervallband", "tick mark": "markering" },
    en: { visualization: "chart", geoshape: "area", bar: "bar", point: "point", "line mark": "line",
          "rule mark": "reference line", "symbol mark": "symbol", "text mark": "text",
          "area mark": "interval band", "tick mark": "tick" }
  };
  function translateRoles(container) {
    var lang = (document.documentElement.lang || "sv").slice(0, 2);
    var names = ROLES[lang] || ROLES.sv;
    var done = {};
    Object.keys(names).forEach(function (k) { done[names[k]] = true; });
    var all = Array.prototype.slice.call(container.querySelectorAll("[aria-roledescription]"));
    if (container.hasAttribute("aria-roledescription")) { all.push(container); }
    all.forEach(function (el) {
      var rd = el.getAttribute("aria-roledescription");
      if (Object.prototype.hasOwnProperty.call(done, rd)) { return; }
      if (rd === "title" || rd === "subtitle") {
        /* The figure's caption says the title already ("Title text …" in English otherwise). */
        el.removeAttribute("aria-roledescription");
        el.removeAttribute("aria-label");
        el.removeAttribute("role");
        el.setAttribute("aria-hidden", "true");
        return;
      }
      if (Object.prototype.hasOwnProperty.call(names, rd)) {
        el.setAttribute("aria-roledescription", names[rd]);
      } else {
        el.removeAttribute("aria-roledescription");
      }
    });
  }
  /* On a narrow screen (a phone) long axis labels (indicator and area names) would leave the
     plot a sliver: they are cut shorter (with "…"; the figure's table has them in full and each
     mark's description names them), and legends wrap into columns instead of running off the
     chart's edge. */
  var NARROW = 600;
  function narrow(spec, width) {
    if (!width || width >= NARROW) { return spec; }
    var config = Object.assign({}, spec.config);
    var axis = Object.assign({}, config.axis);
    var limit = Math.max(90, Math.round(width * 0.38));
    axis.labelLimit = Math.min(axis.labelLimit || limit, limit);
    config.axis = axis;
    config.legend = Object.assign({}, config.legend, {
      /* a legend below the plot starts at the plot's left edge, right of the labels */
      columns: Math.max(1, Math.floor((width - limit - 20) / 150)),
      labelLimit: Math.min((config.legend || {}).labelLimit || limit, Math.round(width * 0.6))
    });
    return Object.assign({}, spec, { config: config });
  }
  function run() {
    if (typeof vegaEmbed === "undefined") { return; }
    document.querySelectorAll(".vega-chart[data-spec]").forEach(function (div) {
      var script = document.getElementById(div.getAttribute("data-spec"));
      if (!script) { return; }
      var spec = narrow(JSON.parse(script.textContent), div.clientWidth);
      /* Vega names its marks in English on every render, and a chart as wide as its
         container is drawn again whenever the width changes (a phone turned, a scrollbar
         shown). The names are translated in the same microtask as each change, before anything
         is painted or read, by an observer set up before the first render. */
      var observer = null;
      function treat() {
        if (observer) { observer.disconnect(); }
        translateRoles(div);
        focusable(div);
        if (observer) { watch(); }
      }
      function watch() {
        observer.observe(div, {
          /* vega-embed names the container itself ("visualization") */
          childList: true, subtree: true,
          attributes: true, attributeFilter: ["aria-roledescription"]
        });
      }
      if (typeof MutationObserver !== "undefined") {
        observer = new MutationObserver(treat);
        watch();
      }
      /* Content-Security-Policy without 'unsafe-eval' or inline styles: Vega's expression
         interpreter instead of generated functions (ast), and the embed and tooltip styles
         from site.css instead of injected <style> elements. */
      vegaEmbed(div, spec, {
        renderer: "svg", actions: false, ast: true, defaultStyle: false,
        tooltip: { disableDefaultStyle: true }
      })
        .then(treat)
        .catch(function (err) { div.textContent = String(err); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", run); }
  else { run(); }
})();
