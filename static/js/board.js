// The board's drag-and-drop. Every move is checked by the server; a refused move puts the card
// back and says why. Without JavaScript each card's own form does the same job.
(function () {
  "use strict";
  var board = document.querySelector(".board");
  if (!board) { return; }
  var csrf = board.getAttribute("data-csrf");
  var message = document.getElementById("board-message");
  var dragged = null;
  // Moves that need more than a drop (the amount and date of a grant, the reason of a rejection, the
  // confirmation of a withdrawal) open the move page's own form in a dialog.
  var asks = (board.getAttribute("data-asks") || "").split(" ");

  function send(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    });
  }

  // After a move the board is drawn afresh, and the focus goes back to the card that moved.
  function movedAway(card) {
    try { sessionStorage.setItem("board-focus", card.getAttribute("data-id")); } catch (e) { /* private mode */ }
    window.location.reload();
  }

  function focusCard(id) {
    var title = id && board.querySelector('.card-item[data-id="' + id + '"] .card-title');
    if (title) { title.focus(); title.scrollIntoView({ block: "nearest", inline: "nearest" }); }
  }

  function askFirst(card, target) {
    var url = card.getAttribute("data-move-url") + "?to=" + encodeURIComponent(target);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } }).then(function (response) {
      return response.text();
    }).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var form = page.querySelector("main form[action$='/move']");
      if (!form) { window.location.href = url; return; }
      var dialog = document.createElement("dialog");
      dialog.className = "move-dialog";
      dialog.setAttribute("aria-labelledby", "move-dialog-title");
      var title = document.createElement("h2");
      title.id = "move-dialog-title";
      title.textContent = card.querySelector(".card-title").textContent;
      var problem = document.createElement("p");
      problem.className = "flash flash-error";
      problem.setAttribute("role", "alert");
      problem.hidden = true;
      form = document.importNode(form, true);
      dialog.append(title, problem, form);
      var cancel = form.querySelector("a");
      if (cancel) {
        cancel.addEventListener("click", function (event) { event.preventDefault(); dialog.close(); });
      }
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        send(form.getAttribute("action"), new URLSearchParams(new FormData(form))).then(function (result) {
          if (result.ok) { movedAway(card); return; }
          problem.textContent = result.data.error || board.getAttribute("data-error");
          problem.hidden = false;
        }).catch(function () {
          problem.textContent = board.getAttribute("data-error");
          problem.hidden = false;
        });
      });
      dialog.addEventListener("close", function () { dialog.remove(); focusCard(card.getAttribute("data-id")); });
      document.body.append(dialog);
      dialog.showModal();
      var first = form.querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
    }).catch(function () {
      window.location.href = url;
    });
  }

  var remembered = null;
  try { remembered = sessionStorage.getItem("board-focus"); sessionStorage.removeItem("board-focus"); } catch (e) { /* private mode */ }
  var linked = /^#card-(\d+)$/.exec(window.location.hash);
  focusCard(remembered || (linked && linked[1]));

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

  // The card's own form (the keyboard's way): the moves that ask first ask in the same dialog.
  board.addEventListener("submit", function (event) {
    var form = event.target;
    var card = form.closest ? form.closest(".card-item") : null;
    var choice = form.querySelector("select[name=to]");
    if (card && choice && asks.indexOf(choice.value) >= 0) {
      event.preventDefault();
      askFirst(card, choice.value);
    }
  });

  board.addEventListener("drop", function (event) {
    var column = columnOf(event.target);
    if (!dragged || !column) { return; }
    event.preventDefault();
    var card = dragged;
    var target = column.getAttribute("data-stage");
    if (target === card.getAttribute("data-stage")) { return; }
    if (asks.indexOf(target) >= 0) { askFirst(card, target); return; }
    var home = card.parentNode, next = card.nextSibling;
    column.querySelector(".cards").prepend(card);
    var body = new URLSearchParams();
    body.set("csrf_token", csrf);
    body.set("to", target);
    send(card.getAttribute("data-move-url"), body).then(function (result) {
      if (result.ok) { movedAway(card); return; }
      home.insertBefore(card, next);
      if (result.data.details_url) { askFirst(card, target); return; }
      say(result.data.error || "", true);
    }).catch(function () {
      home.insertBefore(card, next);
      say(board.getAttribute("data-error") || "The move failed. Try again.", true);
    });
  });
})();
