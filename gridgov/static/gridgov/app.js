/* gridgov console behaviour: the navigation drawer, dismissible messages, small form helpers and
   htmx error reporting. Plain ES5-level JavaScript (office PCs run old browsers), no framework.
   Loaded in <head> without defer so that the .js class is set before the first paint. */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.add("js");

  var NARROW = "(max-width: 960px)";

  function onReady(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  /* ---- Navigation drawer (narrow screens) ---- */
  function setupDrawer() {
    var toggle = document.querySelector("[data-nav-toggle]");
    if (!toggle) {
      return;
    }
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    var backdrop = document.querySelector("[data-nav-close]");
    if (!nav) {
      return;
    }

    function isOpen() {
      return root.classList.contains("nav-open");
    }

    function setOpen(open, restoreFocus) {
      root.classList.toggle("nav-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (backdrop) {
        backdrop.hidden = !open;
      }
      if (open) {
        var current = nav.querySelector('[aria-current="page"]') || nav.querySelector("a, button");
        if (current) {
          // Wait for the drawer to become visible before moving focus into it.
          window.setTimeout(function () {
            current.focus();
          }, 50);
        }
      } else if (restoreFocus) {
        toggle.focus();
      }
    }

    toggle.addEventListener("click", function () {
      setOpen(!isOpen(), true);
    });
    if (backdrop) {
      backdrop.addEventListener("click", function () {
        setOpen(false, true);
      });
    }
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && isOpen()) {
        setOpen(false, true);
      }
    });
    if (window.matchMedia) {
      var query = window.matchMedia(NARROW);
      var onChange = function () {
        if (!query.matches && isOpen()) {
          setOpen(false, false);
        }
      };
      if (query.addEventListener) {
        query.addEventListener("change", onChange);
      } else if (query.addListener) {
        query.addListener(onChange);
      }
    }
  }

  /* ---- Messages ---- */
  function showMessage(text, level) {
    var region = document.querySelector("[data-messages]");
    if (!region || !text) {
      return;
    }
    var list = region.querySelector(".messages");
    if (!list) {
      list = document.createElement("ul");
      list.className = "messages";
      region.appendChild(list);
    }
    var item = document.createElement("li");
    item.className = level || "info";
    var span = document.createElement("span");
    span.className = "message-text";
    span.textContent = text;
    item.appendChild(span);
    list.appendChild(item);
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target || !target.closest) {
      return;
    }
    var dismiss = target.closest("[data-dismiss]");
    if (dismiss) {
      var item = dismiss.closest("li");
      var list = item && item.parentNode;
      if (item) {
        item.parentNode.removeChild(item);
      }
      if (list && !list.children.length && list.parentNode) {
        list.parentNode.removeChild(list);
      }
      return;
    }
    var back = target.closest("[data-history-back]");
    if (back && window.history.length > 1 && document.referrer) {
      event.preventDefault();
      window.history.back();
    }
  });

  /* ---- Forms: submit a filter form when its select changes; confirm dangerous actions ---- */
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("select[data-autosubmit]") && target.form) {
      if (target.form.requestSubmit) {
        target.form.requestSubmit();
      } else {
        target.form.submit();
      }
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form && form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  /* ---- htmx: say so when a request fails instead of doing nothing ---- */
  document.addEventListener("htmx:responseError", function () {
    showMessage(document.body.getAttribute("data-request-failed"), "error");
  });
  document.addEventListener("htmx:sendError", function () {
    showMessage(document.body.getAttribute("data-offline"), "error");
  });

  /* ---- 503 page: try again by itself ---- */
  function setupRetry() {
    var retry = document.querySelector("[data-retry-after]");
    if (retry) {
      var seconds = parseInt(retry.getAttribute("data-retry-after"), 10) || 5;
      window.setTimeout(function () {
        window.location.href = retry.href;
      }, seconds * 1000);
    }
  }

  onReady(function () {
    setupDrawer();
    setupRetry();
  });

  window.gridgov = { showMessage: showMessage };
})();
