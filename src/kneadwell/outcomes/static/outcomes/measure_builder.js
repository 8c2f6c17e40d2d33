/* The measure builder: "Add an item" copies the last item's block (empty) instead of sending the form back,
   and each item shows only the fields of its kind (answers, or a number). Without this script the button
   sends the form back with one more block and every field shows: the form works either way. */
(function () {
  "use strict";
  var form = document.getElementById("builder");
  if (!form) return;
  var list = document.getElementById("items");
  var count = form.querySelector('input[name="item_count"]');
  form.classList.add("js");

  function kindOf(block) {
    var chosen = block.querySelector('input[type="radio"][name$="-kind"]:checked');
    return chosen ? chosen.value : "options";
  }
  function show(block) { block.setAttribute("data-kind", kindOf(block)); }

  list.addEventListener("change", function (event) {
    var block = event.target.closest(".item-block");
    if (block && /-kind$/.test(event.target.name || "")) show(block);
  });
  Array.prototype.forEach.call(list.querySelectorAll(".item-block"), show);

  document.getElementById("add-item").addEventListener("click", function (event) {
    var blocks = list.querySelectorAll(".item-block");
    if (!blocks.length) return; // let the form ask the server for a block
    event.preventDefault();
    var last = blocks[blocks.length - 1];
    var index = blocks.length;  // blocks are numbered 0.. in order
    var block = last.cloneNode(true);
    var rename = function (text) { return text.replace(/item-\d+-/g, "item-" + index + "-"); };
    Array.prototype.forEach.call(block.querySelectorAll("[name],[id],[for],[aria-describedby]"), function (el) {
      ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
        if (el.hasAttribute(attr)) el.setAttribute(attr, rename(el.getAttribute(attr)));
      });
    });
    var walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      walker.currentNode.nodeValue = walker.currentNode.nodeValue.replace(/Item \d+/, "Item " + (index + 1));
    }
    Array.prototype.forEach.call(block.querySelectorAll(".errorlist"), function (el) { el.remove(); });
    Array.prototype.forEach.call(block.querySelectorAll("input, textarea"), function (el) {
      if (el.type === "radio") el.checked = el.value === "options";
      else if (el.type === "checkbox") el.checked = false;
      else if (el.name && /-decimals$/.test(el.name)) el.value = "0";
      else el.value = "";
      el.removeAttribute("aria-invalid");
    });
    list.appendChild(block);
    show(block);
    count.value = String(index + 1);
    var label = block.querySelector('input[name$="-label"]');
    if (label) label.focus();
  });
})();
