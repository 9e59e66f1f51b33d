/*
 * Copy buttons for the "Cite this case" block.
 *
 * Every element marked data-copy gets a "Copy" button after it, named by the
 * attribute's value ("Copy the APA citation"). Without
 * JavaScript there is no button and the text is selected and copied by hand,
 * as on paper. A citation is copied both as formatted text (the APA title in
 * italics, for a word processor) and as plain text.
 */
(function () {
  "use strict";

  var status = document.createElement("p");
  status.className = "copy-status visually-hidden";
  status.setAttribute("role", "status");

  function announce(button, message) {
    status.textContent = message;
    button.textContent = message;
    window.setTimeout(function () {
      button.textContent = "Copy";
    }, 2000);
  }

  function copyBySelection(element) {
    var selection = window.getSelection();
    var range = document.createRange();
    range.selectNodeContents(element);
    selection.removeAllRanges();
    selection.addRange(range);
    var done = false;
    try {
      done = document.execCommand("copy");
    } catch (error) {
      done = false;
    }
    return done ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(element) {
    var plain = element.textContent.replace(/\s+/g, " ").trim();
    var clipboard = navigator.clipboard;
    if (clipboard && window.ClipboardItem && clipboard.write) {
      var item = new window.ClipboardItem({
        "text/plain": new Blob([plain], { type: "text/plain" }),
        "text/html": new Blob([element.innerHTML.trim()], { type: "text/html" })
      });
      return clipboard.write([item]).catch(function () {
        return clipboard.writeText(plain);
      });
    }
    if (clipboard && clipboard.writeText) {
      return clipboard.writeText(plain).catch(function () {
        return copyBySelection(element);
      });
    }
    return copyBySelection(element);
  }

  function addButton(element) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy";
    // data-copy holds the button's accessible name: what it copies.
    if (element.getAttribute("data-copy")) {
      button.setAttribute("aria-label", element.getAttribute("data-copy"));
    }
    button.addEventListener("click", function () {
      copy(element).then(
        function () { announce(button, "Copied"); },
        function () { announce(button, "Select the text and copy it"); }
      );
    });
    element.insertAdjacentElement("afterend", button);
  }

  function start() {
    var targets = document.querySelectorAll("[data-copy]");
    if (!targets.length) {
      return;
    }
    Array.prototype.forEach.call(targets, addButton);
    document.body.appendChild(status);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
