// Show a question only when its `ask_when` holds for the answers on the page so far.
// The same rules as onestop.dialogues.engine.holds; the server still decides on submit,
// so without this script every question simply shows.
(function () {
  "use strict";
  var form = document.getElementById("dialogue-page");
  var known = document.getElementById("dialogue-known");
  if (!form) { return; }
  var earlier = known ? JSON.parse(known.textContent) : {};
  var groups = form.querySelectorAll("[data-ask-when]");
  if (!groups.length) { return; }

  function answer(id) {
    var inputs = form.querySelectorAll('[name="q_' + id + '"]');
    if (!inputs.length) { return earlier[id]; }
    var first = inputs[0];
    if (first.type === "checkbox") {
      return Array.prototype.filter.call(inputs, function (i) { return i.checked; })
        .map(function (i) { return i.value; });
    }
    if (first.type === "radio") {
      var picked = Array.prototype.find.call(inputs, function (i) { return i.checked; });
      if (!picked) { return undefined; }
      if (picked.value === "yes" || picked.value === "no") {
        var values = Array.prototype.map.call(inputs, function (i) { return i.value; });
        if (values.length === 2 && values.indexOf("yes") >= 0 && values.indexOf("no") >= 0) {
          return picked.value === "yes";
        }
      }
      return picked.value;
    }
    var text = first.value.trim();
    if (text === "") { return undefined; }
    var number = Number(text.replace(/,/g, ""));
    return isNaN(number) ? text : number;
  }

  function holds(c) {
    if (c.all) { return c.all.every(holds); }
    if (c.any) { return c.any.some(holds); }
    if (c.not) { return !holds(c.not); }
    var value = answer(c.fact);
    var known = value !== undefined && value !== null && !(Array.isArray(value) && !value.length);
    if ("answered" in c) { return known === c.answered; }
    if (!known) { return false; }
    if ("equals" in c) { return value === c.equals; }
    if ("not_equals" in c) { return value !== c.not_equals; }
    if ("in" in c) { return c["in"].indexOf(value) >= 0; }
    if ("includes" in c) { return Array.isArray(value) && value.indexOf(c.includes) >= 0; }
    if (typeof value !== "number") { return false; }
    if ("at_least" in c) { return value >= c.at_least; }
    if ("at_most" in c) { return value <= c.at_most; }
    if ("less_than" in c) { return value < c.less_than; }
    if ("more_than" in c) { return value > c.more_than; }
    return true;
  }

  function update() {
    Array.prototype.forEach.call(groups, function (group) {
      var show = holds(JSON.parse(group.getAttribute("data-ask-when")));
      group.hidden = !show;
    });
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
