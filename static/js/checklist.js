// The checklist while it is filled in: an answer left at "missing" follows what is written (done when whole,
// a draft while partly written), each section counts its answered items, and the reason field shows only for
// "not applicable". The server applies the same rule to an answer left at "missing", so without this script
// nothing is lost, only seen later.
(function () {
  "use strict";
  var form = document.querySelector("form.checklist-form");
  if (!form) { return; }
  var pattern = form.getAttribute("data-answered");
  var SETTLED = ["done", "not_applicable"];

  function value(item, suffix) {
    var field = item.querySelector("[name$='-" + suffix + "']");
    return field ? field.value.trim() : "";
  }

  function contentOf(item) {
    var kind = item.getAttribute("data-kind");
    var text = value(item, "text"), number = value(item, "number"), source = value(item, "source");
    var goals = item.querySelectorAll("input[name$='-un_goals']:checked").length > 0;
    var whole = kind === "number" ? Boolean(number && source) : kind === "goals" ? goals : Boolean(text);
    return whole ? "done" : (text || number || source || goals) ? "draft" : "missing";
  }

  function count(section) {
    var selects = section.querySelectorAll("select[name$='-status']");
    var settled = Array.prototype.filter.call(selects, function (s) { return SETTLED.indexOf(s.value) >= 0; }).length;
    var progress = section.querySelector("[data-section-progress]");
    if (progress && pattern) { progress.textContent = pattern.replace("{done}", settled).replace("{num}", selects.length); }
  }

  function show(item, select) {
    var badge = item.querySelector("[data-status-badge]");
    if (badge) {
      badge.textContent = select.options[select.selectedIndex].textContent;
      badge.className = "badge status-" + select.value;
    }
    var reason = item.querySelector(".reason-field");
    if (reason) { reason.classList.toggle("shown", select.value === "not_applicable"); }
  }

  form.querySelectorAll(".checklist-item").forEach(function (item) {
    var select = item.querySelector("select[name$='-status']");
    if (!select) { return; }
    // The status follows the content until it is set by hand; an unfinished draft still follows it.
    var follows = select.value === "missing" || (select.value === "draft" && contentOf(item) !== "done");
    var section = item.closest(".checklist-section");
    select.addEventListener("change", function () { follows = false; show(item, select); count(section); });
    item.addEventListener("input", function (event) {
      if (event.target === select || !follows) { return; }
      select.value = contentOf(item);
      show(item, select);
      count(section);
    });
  });
})();
