// Show a follow-up question only when the answer it depends on says so (data-ask-if on its inputs).
// Without JavaScript every question shows, and the server ignores follow-ups that were not asked.
(function () {
  // Whether the answer `name` is `value`: the chosen radio, a ticked box among several (a checklist's
  // line), or a field's value.
  function answered(form, name, value) {
    var field = form.querySelector('[name="' + name + '"]');
    if (!field) return false;
    if (field.type === "radio" || field.type === "checkbox") {
      return Array.prototype.some.call(
        form.querySelectorAll('input[name="' + name + '"]:checked'),
        function (box) { return box.value === value; }
      );
    }
    return field.value === value;
  }
  function update(form) {
    form.querySelectorAll("[data-ask-if]").forEach(function (input) {
      var group = input.closest(".question") || input.closest("div");
      var show = answered(form, input.dataset.askIf, input.dataset.askIfEquals);
      if (group) group.hidden = !show;
    });
  }
  // "Nowhere" / "None of these" ticked: fold the rest of that list away (unticking brings it back).
  function foldNone(form) {
    form.querySelectorAll('input[type=checkbox][value="none"]').forEach(function (none) {
      var list = none.closest("div[id]");
      if (!list) return;
      list.querySelectorAll("input[type=checkbox]").forEach(function (box) {
        if (box !== none) box.closest("div").hidden = none.checked && !box.checked;
      });
    });
  }
  document.querySelectorAll("form.questions").forEach(function (form) {
    form.addEventListener("change", function () { update(form); foldNone(form); });
    update(form);
    foldNone(form);
  });
})();
