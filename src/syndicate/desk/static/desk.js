// The review desk's keyboard: j/k move between segments, e opens the focused segment's
// editor, Ctrl+Enter saves it. Served by the desk itself (the CSP allows only 'self');
// every action also works without it.
(function () {
  "use strict";
  function segments() { return Array.prototype.slice.call(document.querySelectorAll("tr.segment")); }
  function current(list) {
    var at = list.indexOf(document.activeElement && document.activeElement.closest("tr.segment"));
    return at;
  }
  function go(step) {
    var list = segments();
    if (!list.length) { return; }
    var next = Math.min(list.length - 1, Math.max(0, current(list) + step));
    list[next].focus();
    list[next].scrollIntoView({ block: "center" });
  }
  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
    if (typing) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.form) {
        event.preventDefault();
        event.target.form.requestSubmit();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "j") { go(1); }
    else if (event.key === "k") { go(-1); }
    else if (event.key === "e") {
      var row = document.activeElement && document.activeElement.closest("tr.segment");
      var details = row && row.querySelector("details.edit");
      if (details) {
        event.preventDefault();
        details.open = true;
        details.querySelector("textarea").focus();
      }
    }
  });
})();
