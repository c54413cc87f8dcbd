// The board's drag-and-drop. Every move is checked by the server; a refused move puts the card
// back and says why. Without JavaScript each card's own form does the same job.
(function () {
  "use strict";
  var board = document.querySelector(".board");
  if (!board) { return; }
  var csrf = board.getAttribute("data-csrf");
  var message = document.getElementById("board-message");
  var dragged = null;

  function say(text, isError) {
    message.textContent = text;
    message.hidden = false;
    message.className = "board-message flash " + (isError ? "flash-error" : "flash-success");
  }

  function columnOf(element) {
    while (element && !(element.classList && element.classList.contains("column"))) { element = element.parentNode; }
    return element;
  }

  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest(".card-item") : null;
    if (!card) { return; }
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-id"));
    var allowed = (card.getAttribute("data-moves") || "").split(" ");
    board.querySelectorAll(".column").forEach(function (column) {
      if (allowed.indexOf(column.getAttribute("data-stage")) >= 0) { column.classList.add("drop-allowed"); }
    });
  });

  board.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    board.querySelectorAll(".column").forEach(function (column) { column.classList.remove("drop-allowed", "drop-over"); });
  });

  board.addEventListener("dragover", function (event) {
    var column = columnOf(event.target);
    if (dragged && column) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      column.classList.add("drop-over");
    }
  });

  board.addEventListener("dragleave", function (event) {
    var column = columnOf(event.target);
    if (column && !column.contains(event.relatedTarget)) { column.classList.remove("drop-over"); }
  });

  board.addEventListener("drop", function (event) {
    var column = columnOf(event.target);
    if (!dragged || !column) { return; }
    event.preventDefault();
    var card = dragged;
    var target = column.getAttribute("data-stage");
    if (target === card.getAttribute("data-stage")) { return; }
    var home = card.parentNode, next = card.nextSibling;
    column.querySelector(".cards").prepend(card);
    var body = new URLSearchParams();
    body.set("csrf_token", csrf);
    body.set("to", target);
    fetch(card.getAttribute("data-move-url"), {
      method: "POST",
      headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (result.ok) {
        card.setAttribute("data-stage", target);
        window.location.reload();
        return;
      }
      home.insertBefore(card, next);
      if (result.data.details_url) { window.location.href = result.data.details_url; return; }
      say(result.data.error || "", true);
    }).catch(function () {
      home.insertBefore(card, next);
      say(board.getAttribute("data-error") || "The move failed. Try again.", true);
    });
  });
})();
