// A small dialog for the forms that remove or end something (data-confirm holds the question). The server
// asks again on a page of its own when this script does not run, so the dialog only saves a page load.
(function () {
  "use strict";
  var dialog = null;

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-question");
    var question = document.createElement("p");
    question.id = "confirm-question";
    var buttons = document.createElement("div");
    buttons.className = "buttons";
    var yes = document.createElement("button");
    yes.type = "button";
    yes.className = "primary danger-fill";
    yes.value = "yes";
    var no = document.createElement("button");
    no.type = "button";
    no.value = "no";
    buttons.append(yes, no);
    dialog.append(question, buttons);
    document.body.append(dialog);
    yes.addEventListener("click", function () { dialog.close("yes"); });
    no.addEventListener("click", function () { dialog.close("no"); });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-confirm") || form.querySelector("input[name=confirmed]")) { return; }
    event.preventDefault();
    if (!dialog) { build(); }
    var opener = event.submitter || form.querySelector("button");
    dialog.querySelector("p").textContent = form.getAttribute("data-confirm");
    var buttons = dialog.querySelectorAll("button");
    buttons[0].textContent = document.body.getAttribute("data-confirm-yes") || "OK";
    buttons[1].textContent = document.body.getAttribute("data-confirm-no") || "Cancel";
    dialog.onclose = function () {
      if (dialog.returnValue !== "yes") { if (opener) { opener.focus(); } return; }
      var confirmed = document.createElement("input");
      confirmed.type = "hidden";
      confirmed.name = "confirmed";
      confirmed.value = "1";
      form.append(confirmed);
      form.requestSubmit ? form.requestSubmit(opener && opener.form === form ? opener : undefined) : form.submit();
    };
    dialog.showModal();
    buttons[1].focus();
  });
})();
