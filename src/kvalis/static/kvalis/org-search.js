/* Organisation search for long selects (no library).
 *
 * A <select data-org-search data-org-search-url="…"> stays in the form (hidden) and keeps
 * its value; a text field with a list of matches (the ARIA combobox pattern) is shown in its
 * place. The matches come from the JSON search (?q=, two letters or more); only those that
 * are among the select's own options are offered, so the server's choices still decide.
 * Without JavaScript the select works as it is.
 */
(function () {
  "use strict";

  var DELAY = 250;
  var MIN_LENGTH = 2;
  var SHORT_LIST = 12; // a select this short is easier to use as it is

  function enhance(select, index) {
    if (select.options.length <= SHORT_LIST) return;
    var id = (select.id || "org-search-" + index) + "-search";
    var wrapper = document.createElement("div");
    var input = document.createElement("input");
    var list = document.createElement("ul");
    var status = document.createElement("p");
    var timer = null;
    var controller = null;
    var active = -1;

    wrapper.className = "org-search";
    input.type = "text";
    input.id = id;
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "-list");
    input.setAttribute("aria-describedby", id + "-status");
    if (select.getAttribute("aria-describedby")) {
      input.setAttribute(
        "aria-describedby",
        id + "-status " + select.getAttribute("aria-describedby")
      );
    }
    if (select.getAttribute("aria-invalid")) {
      input.setAttribute("aria-invalid", select.getAttribute("aria-invalid"));
    }
    list.id = id + "-list";
    list.className = "org-search-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    status.id = id + "-status";
    status.className = "muted org-search-status";
    status.setAttribute("aria-live", "polite");
    status.textContent = select.dataset.orgSearchHint || "";

    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    if (label) {
      label.htmlFor = id;
      list.setAttribute("aria-label", label.textContent.trim());
    }
    input.value = selectedLabel();
    wrapper.appendChild(input);
    wrapper.appendChild(list);
    wrapper.appendChild(status);
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    select.parentNode.insertBefore(wrapper, select.nextSibling);

    function selectedLabel() {
      var option = select.options[select.selectedIndex];
      return option && option.value ? option.textContent.trim() : "";
    }

    function allowed(value) {
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === String(value)) return true;
      }
      return false;
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(next) {
      var items = list.querySelectorAll('[role="option"]');
      if (!items.length) return;
      active = (next + items.length) % items.length;
      for (var i = 0; i < items.length; i++) {
        items[i].setAttribute("aria-selected", i === active ? "true" : "false");
      }
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function choose(item) {
      select.value = item.dataset.value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      input.value = item.textContent;
      status.textContent = "";
      close();
    }

    function show(results) {
      list.textContent = "";
      results = results.filter(function (result) { return allowed(result.id); });
      results.forEach(function (result, i) {
        var item = document.createElement("li");
        item.id = id + "-option-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.dataset.value = result.id;
        item.textContent = result.label;
        item.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the field
          choose(item);
        });
        list.appendChild(item);
      });
      var found = select.dataset.orgSearchFound || "%(count)s";
      status.textContent = results.length
        ? found.replace("%(count)s", results.length)
        : select.dataset.orgSearchNone || "";
      list.hidden = !results.length;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      active = -1;
    }

    function search() {
      var query = input.value.trim();
      if (controller) controller.abort();
      if (query.length < MIN_LENGTH) {
        close();
        status.textContent = select.dataset.orgSearchHint || "";
        return;
      }
      controller = new AbortController();
      var url = new URL(select.dataset.orgSearchUrl, window.location.href);
      url.searchParams.set("q", query);
      if (select.dataset.orgSearchType) url.searchParams.set("type", select.dataset.orgSearchType);
      fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller.signal,
      })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (data) { show(data.results || []); })
        .catch(function (error) {
          if (error.name !== "AbortError") fallBack();
        });
    }

    // The search is unavailable: give the plain select back.
    function fallBack() {
      wrapper.remove();
      select.hidden = false;
      select.removeAttribute("aria-hidden");
      select.removeAttribute("tabindex");
      if (label) label.htmlFor = select.id;
    }

    input.addEventListener("input", function () {
      if (!input.value.trim() && select.value) {
        select.value = "";
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      clearTimeout(timer);
      timer = setTimeout(search, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden) return;
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();
        choose(list.querySelectorAll('[role="option"]')[active]);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () {
      close();
      // What stays in the field is what the form sends: the chosen organisation, or none.
      if (input.value.trim() !== selectedLabel()) input.value = selectedLabel();
    });
  }

  document.querySelectorAll("select[data-org-search]").forEach(enhance);
})();
