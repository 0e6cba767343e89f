// A table wider than the screen scrolls sideways inside its .table-wrap. Keyboard users can
// scroll that box only if it takes focus (WCAG 2.1.1, axe's scrollable-region-focusable), so a
// box that scrolls gets tabindex="0" and, as a named region, the table's caption or heading.
// A box that fits loses both again (the window was widened), so it is no useless tab stop.
(function () {
  "use strict";

  function label(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var section = wrap.closest("section[aria-labelledby]");
    var heading = section && document.getElementById(section.getAttribute("aria-labelledby"));
    if (heading && heading.textContent.trim()) return heading.textContent.trim();
    var main = document.querySelector("main h2, main h1");
    return main ? main.textContent.trim() : "";
  }

  function mark(wrap) {
    if (wrap.scrollWidth > wrap.clientWidth) {
      if (wrap.getAttribute("tabindex") === null) {
        wrap.setAttribute("tabindex", "0");
        wrap.dataset.scrollFocus = "1";
        var name = label(wrap);
        if (name && !wrap.hasAttribute("role")) {
          wrap.setAttribute("role", "region");
          wrap.setAttribute("aria-label", name);
        }
      }
    } else if (wrap.dataset.scrollFocus) {
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("role");
      wrap.removeAttribute("aria-label");
      delete wrap.dataset.scrollFocus;
    }
  }

  function markAll() {
    document.querySelectorAll(".table-wrap").forEach(mark);
  }

  var observer = window.ResizeObserver
    ? new ResizeObserver(function (entries) {
        entries.forEach(function (entry) { mark(entry.target); });
      })
    : null;

  function watch() {
    markAll();
    if (observer) document.querySelectorAll(".table-wrap").forEach(function (wrap) { observer.observe(wrap); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
  window.addEventListener("resize", markAll);
  document.addEventListener("htmx:afterSettle", watch);
})();
