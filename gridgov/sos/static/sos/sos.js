/* The SOS button: hold it 1.5 s to send, or tap it and then tap "send" — never one accidental
   touch (a phone in a pocket). Plain ES5, no framework. */
(function () {
  "use strict";
  var HOLD_MS = 1500;

  function setup() {
    var form = document.querySelector("[data-sos-form]");
    if (!form) {
      return;
    }
    var button = form.querySelector("[data-sos-button]");
    var confirm = form.querySelector("[data-sos-confirm]");
    var cancel = form.querySelector("[data-sos-cancel]");
    var confirmed = form.querySelector("input[name=confirmed]");
    var timer = null;
    var sent = false;

    function send() {
      if (sent) {
        return;
      }
      sent = true;
      confirmed.value = "yes";
      button.disabled = true;
      form.submit();
    }

    function release(showConfirm) {
      if (timer !== null) {
        clearTimeout(timer);
        timer = null;
        button.classList.remove("is-holding");
        if (showConfirm && !sent) {
          confirm.hidden = false;
          confirm.querySelector("[data-sos-send]").focus();
        }
      }
    }

    button.addEventListener("pointerdown", function (event) {
      if (button.disabled) {
        return;
      }
      event.preventDefault();
      button.classList.add("is-holding");
      timer = setTimeout(function () {
        timer = null;
        send();
      }, HOLD_MS);
    });
    button.addEventListener("pointerup", function () { release(true); });
    button.addEventListener("pointerleave", function () { release(false); });
    button.addEventListener("pointercancel", function () { release(false); });
    button.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        confirm.hidden = false;
      }
    });
    if (cancel) {
      cancel.addEventListener("click", function () {
        confirm.hidden = true;
      });
    }
    form.addEventListener("submit", function () {
      confirmed.value = "yes";
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
