// A "Copy" button beside a read-only field puts the field's text on the clipboard and says so
// in its status line. The button is hidden until this script runs: without it the field is
// still there, to select and copy by hand.
(function () {
  "use strict";

  function say(button, text) {
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (status) status.textContent = text;
  }

  function copyBySelection(field) {
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function copy(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    var done = function () { say(button, button.getAttribute("data-copied")); };
    var failed = function () {
      field.focus();
      field.select();
      say(button, button.getAttribute("data-failed"));
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        if (copyBySelection(field)) done(); else failed();
      });
    } else if (copyBySelection(field)) {
      done();
    } else {
      failed();
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (button) copy(button);
  });
  document.querySelectorAll("button[data-copy][hidden]").forEach(function (button) {
    button.hidden = false;
  });
})();
