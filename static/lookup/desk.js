/*
 * The agent's desk, as progressive enhancement: every page works without this file.
 *
 * - `/` anywhere (outside a text field) puts the cursor in the search box;
 * - copy buttons (hidden without JavaScript) copy a customer id, an email or an order id;
 * - a click anywhere on a result row opens that customer (the name is the link without JS);
 * - the message after an action (unlink, restore) gets the focus, so it is read first.
 *
 * Loaded from the site itself: the Content-Security-Policy allows no inline script. So its words
 * come in the page's language as data-* attributes of its own <script> tag (templates/base.html).
 */
(function () {
  "use strict";

  // Read now: document.currentScript is only set while this file runs.
  var words = (document.currentScript && document.currentScript.dataset) || {};
  function word(name, english) {
    return words[name] || english;
  }

  document.documentElement.classList.add("js");

  function isTyping(target) {
    return Boolean(
      target && target.closest && target.closest("input, textarea, select, [contenteditable]")
    );
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) {
      return;
    }
    var box = document.querySelector("[data-search-box]");
    if (!box) {
      return;
    }
    event.preventDefault();
    box.focus();
    box.select();
  });

  // Copying: the Clipboard API where the page may use it (HTTPS, localhost), else the older
  // command, which also works inside a helpdesk's frame that did not grant clipboard access.
  function copyWithSelection(text) {
    var buffer = document.createElement("textarea");
    buffer.value = text;
    buffer.setAttribute("readonly", "");
    buffer.className = "copy-buffer";
    document.body.appendChild(buffer);
    buffer.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    buffer.remove();
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        return copyWithSelection(text);
      });
    }
    return copyWithSelection(text);
  }

  // Made on the first copy only: a page keeps a single status region until then.
  var announcer = null;
  function announce(text) {
    if (!announcer) {
      announcer = document.createElement("p");
      announcer.className = "visually-hidden";
      announcer.setAttribute("role", "status");
      document.body.appendChild(announcer);
    }
    announcer.textContent = text;
  }

  // What a copy button copies is the id as the page shows it: the server already leaves out
  // bidi and other invisible controls a stored id may hold, and this says so again for any
  // attribute that did not, so a pasted id never carries a hidden override.
  var invisible = /[\p{Cc}\p{Cf}]/gu;

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var label = button.firstChild ? button.firstChild.nodeValue : "Copy";
    button.hidden = false;
    button.addEventListener("click", function (event) {
      event.stopPropagation();
      var value = button.getAttribute("data-copy").replace(invisible, "");
      copyText(value).then(
        function () {
          button.classList.add("copied");
          button.firstChild.nodeValue = word("copied", "Copied");
          announce(word("copiedValue", "Copied {value}").replace("{value}", value));
          window.setTimeout(function () {
            button.classList.remove("copied");
            button.firstChild.nodeValue = label;
          }, 1500);
        },
        function () {
          announce(word("copyFailed", "Could not copy; select the text instead."));
        }
      );
    });
  });

  // A whole result row opens its customer, unless the click was on a control of its own or
  // ended a text selection (agents select names and ids to paste them elsewhere).
  document.querySelectorAll("[data-row-link]").forEach(function (row) {
    row.addEventListener("click", function (event) {
      if (event.target.closest("a, button, input, select, textarea, summary, label")) {
        return;
      }
      if (String(window.getSelection ? window.getSelection() : "")) {
        return;
      }
      var link = row.querySelector("a[data-row-target]");
      if (!link) {
        return;
      }
      if (event.ctrlKey || event.metaKey || event.shiftKey) {
        window.open(link.href, "_blank", "noopener");
      } else {
        link.click();
      }
    });
  });

  var message = document.querySelector("[data-autofocus]");
  if (message && document.activeElement !== message) {
    message.focus();
  }
})();
