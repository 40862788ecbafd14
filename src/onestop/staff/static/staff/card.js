// Card readers on shared terminals send a key when the card is pulled out (F8 by
// default; see data-card-removed-key). Signing out leaves the adviser's contact open, so
// it can be picked up on another terminal with the same card.
(function () {
  "use strict";
  var form = document.getElementById("sign-out-form");
  if (!form) { return; }
  var key = form.getAttribute("data-card-removed-key") || "F8";
  document.addEventListener("keydown", function (event) {
    if (event.key === key) { event.preventDefault(); form.submit(); }
  });
})();
