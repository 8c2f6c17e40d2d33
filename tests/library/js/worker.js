// Runs src/kneadwell/static/js/rules.js for the parity tests: one JSON request per line on stdin, one JSON
// answer per line on stdout. A request may carry a bundle's library part once ("base", by "base_id") and
// later only the client's part ("delta"), so hundreds of cases do not resend the same rules.
"use strict";
const rules = require(process.argv[2]);
const readline = require("readline");

const bases = {};
// JSON has no NaN or infinities: the Python side sends them as {"$float": "nan" | "inf" | "-inf"}.
function revive(key, value) {
  if (value && typeof value === "object" && typeof value.$float === "string") {
    return { nan: NaN, inf: Infinity, "-inf": -Infinity }[value.$float];
  }
  return value;
}

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  let out;
  try {
    const req = JSON.parse(line, revive);
    if (req.base !== undefined) bases[req.base_id] = req.base;
    const bundle = req.base_id ? Object.assign({}, bases[req.base_id], req.delta) : req.bundle;
    if (req.op === "screen") out = rules.screen(bundle, req.answers, req.options);
    else if (req.op === "observe") out = rules.observe(bundle, req.observation);
    else if (req.op === "questions") out = rules.questions(bundle, req.options).map((q) => q.id);
    else if (req.op === "label") out = rules.label(bundle, bundle.questions[req.question]);
    else if (req.op === "expired") out = rules.expired(bundle, req.now);
    else if (req.op === "todays_steps") out = rules.todaysSteps(bundle, req.protocol, req.result, req.options);
    else if (req.op === "python") out = req.args.map((a) => rules._python[req.fn](a));
    else out = { crash: "unknown op " + req.op };
  } catch (err) {
    out = { crash: String((err && err.stack) || err) };
  }
  process.stdout.write(JSON.stringify(out) + "\n");
});
