// Drag a file onto a documents section to upload it with the kind chosen in its form; the form's own file
// input and button do the same without JavaScript. The page reloads to show the file, or says why not.
(function () {
  "use strict";
  document.querySelectorAll("form[data-drop-zone]").forEach(function (form) {
    var status = form.querySelector(".drop-status");

    function say(text, isError) {
      status.textContent = text;
      status.className = "drop-status flash " + (isError ? "flash-error" : "flash-success");
    }

    function send(file) {
      var data = new FormData(form);
      data.set("file", file, file.name);
      say(file.name + " …", false);
      fetch(form.action, {method: "POST", body: data, headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (response) { return response.json().then(function (body) { return {ok: response.ok, body: body}; }); })
        .then(function (answer) {
          if (answer.ok && answer.body.ok) {
            say(answer.body.message, false);
            window.location.hash = "documents";
            window.location.reload();
          } else {
            say((answer.body.errors || []).join(" "), true);
          }
        })
        .catch(function () { say(form.getAttribute("data-failed") || "Upload failed.", true); });
    }

    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) {
        event.preventDefault();
        form.classList.add("drop-over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      form.addEventListener(name, function () { form.classList.remove("drop-over"); });
    });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      var files = event.dataTransfer && event.dataTransfer.files;
      if (files && files.length) { send(files[0]); }
    });
  });
})();
