// Show a follow-up question only when the answer it depends on says so (data-ask-if on its inputs).
// Without JavaScript every question shows, and the server ignores follow-ups that were not asked.
(function () {
  function valueOf(form, name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    if (checked) return checked.value;
    var field = form.querySelector('[name="' + name + '"]');
    return field && field.type !== "radio" ? field.value : "";
  }
  function update(form) {
    form.querySelectorAll("[data-ask-if]").forEach(function (input) {
      var group = input.closest(".question") || input.closest("div");
      var show = valueOf(form, input.dataset.askIf) === input.dataset.askIfEquals;
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
