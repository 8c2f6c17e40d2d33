/* Kneadwell's safety rules on the device: today's check and the in-session stop rules, offline.
 *
 * This file holds no rule. It interprets the rule DATA the server evaluates (the reviewed content, sent as
 * a "rules bundle" by GET /api/v1/clients/{id}/rules-bundle) exactly as the Python engine does:
 *   library/predicates.py (the condition language), library/screening.py (a verdict from the rules),
 *   library/findings.py (what a rule read; releases; contradictions), library/answers.py (answers
 *   checked against their questions) and library/stop_rules.py (in-session checks).
 * tests/library/test_rules_js_parity.py runs every screening scenario and stop-rule case through both and
 * compares the whole result, words included, so any change to one side without the other fails there.
 * See docs/offline.md ("Rules on the device") for the interface.
 *
 *   KneadwellRules.screen(bundle, answers, {protocol_id, now})  -> verdict (or {ok: false, errors})
 *   KneadwellRules.observe(bundle, observation)                 -> in-session decision (or errors)
 *   KneadwellRules.questions(bundle, {now})                     -> today's questions for this client
 *   KneadwellRules.label(bundle, question)                      -> its checklist words, settings filled in
 *   KneadwellRules.expired(bundle, now)                         -> true once the bundle is too old
 *   KneadwellRules.todaysSteps(bundle, kitProtocol, result, o)  -> today's steps after a non-blocking verdict
 *
 * No dependency; runs in a browser (window.KneadwellRules), a service worker and node (module.exports).
 */
(function (root) {
  "use strict";

  var FORMAT = 1;

  // An error the Python side raises as a ValueError subclass with a field: becomes {errors: {field: msg}}.
  function Refusal(errors) {
    this.errors = errors;
  }

  function has(obj, key) {
    return obj !== null && typeof obj === "object" && Object.prototype.hasOwnProperty.call(obj, key);
  }
  function isObject(v) {
    return v !== null && typeof v === "object" && !Array.isArray(v);
  }
  function isNumber(v) {
    return typeof v === "number";
  }
  // Python sorts strings by code point; ids and words here are ASCII, where that is plain comparison.
  function sortStrings(list) {
    return list.slice().sort(function (a, b) { return a < b ? -1 : a > b ? 1 : 0; });
  }
  function uniqueSorted(list) {
    return sortStrings(list.filter(function (v, i) { return list.indexOf(v) === i; }));
  }

  // --- numbers written as Python writes them ---------------------------------------------------------
  // The reasons quote numbers ("36.2", "30,000", "99 bpm"); Python's formatting is reproduced exactly,
  // rounding half to even on the number's exact binary value as Python does.

  // x >= 0 finite, as an exact decimal: x = digits / 10^scale (digits a BigInt).
  function exactDecimal(x) {
    var view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, x);
    var hi = view.getUint32(0), lo = view.getUint32(4);
    var expBits = (hi >>> 20) & 0x7ff;
    var mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
    var e;
    if (expBits === 0) { e = -1074; } else { mant = mant | (1n << 52n); e = expBits - 1075; }
    if (e >= 0) return { digits: mant << BigInt(e), scale: 0 };
    return { digits: mant * 5n ** BigInt(-e), scale: -e };
  }

  // Round digits/10^scale to `keep` decimals, half to even: a BigInt of value*10^keep.
  function roundTo(dec, keep) {
    if (keep >= dec.scale) return dec.digits * 10n ** BigInt(keep - dec.scale);
    var div = 10n ** BigInt(dec.scale - keep);
    var q = dec.digits / div, r = dec.digits % div, twice = 2n * r;
    if (twice > div || (twice === div && q % 2n === 1n)) q += 1n;
    return q;
  }

  function pad(n, width) {
    var s = String(n);
    while (s.length < width) s = "0" + s;
    return s;
  }

  // Python's f"{x:g}" (six significant digits, trailing zeros dropped).
  function fmtG(x) {
    if (Number.isNaN(x)) return "nan";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    var sign = x < 0 || Object.is(x, -0) ? "-" : "";
    x = Math.abs(x);
    if (x === 0) return sign + "0";
    var dec = exactDecimal(x);
    // The exponent after rounding to 6 significant digits.
    var whole = dec.digits.toString().length - dec.scale; // digits before the point (may be <= 0)
    var exp = whole - 1;
    var mant = roundTo(dec, 5 - exp);
    if (mant.toString().length > 6) { exp += 1; mant = roundTo(dec, 5 - exp); }
    var ds = mant.toString();
    if (exp < -4 || exp >= 6) {
      var m = ds.replace(/0+$/, "");
      return sign + m[0] + (m.length > 1 ? "." + m.slice(1) : "") + "e" + (exp < 0 ? "-" : "+") +
        pad(Math.abs(exp), 2);
    }
    var decimals = 5 - exp;
    var s;
    if (decimals <= 0) s = ds;
    else {
      ds = pad(ds, decimals + 1);
      s = ds.slice(0, ds.length - decimals) + "." + ds.slice(ds.length - decimals);
      s = s.replace(/0+$/, "").replace(/\.$/, "");
    }
    return sign + s;
  }

  // Python's repr of a float ("36.2", "30000.0", "1e-05").
  function floatRepr(x) {
    if (Number.isNaN(x)) return "nan";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
    var sign = x < 0 ? "-" : "";
    var parts = Math.abs(x).toExponential().split("e"); // the shortest digits that read back the same
    var digits = parts[0].replace(".", ""), exp = parseInt(parts[1], 10);
    if (exp >= -4 && exp < 16) {
      if (exp >= digits.length - 1) return sign + digits + "0".repeat(exp - digits.length + 1) + ".0";
      if (exp >= 0) return sign + digits.slice(0, exp + 1) + "." + digits.slice(exp + 1);
      return sign + "0." + "0".repeat(-exp - 1) + digits;
    }
    return sign + digits[0] + (digits.length > 1 ? "." + digits.slice(1) : "") + "e" +
      (exp < 0 ? "-" : "+") + pad(Math.abs(exp), 2);
  }

  // Python's f"{x:,.0f}" for a whole number.
  function fmtThousands(x) {
    var sign = x < 0 ? "-" : "";
    var s = roundTo(exactDecimal(Math.abs(x)), 0).toString();
    return sign + s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  // Python's round() (half to even) of a float, as a whole number.
  function pyRound(x) {
    var f = Math.floor(x), diff = x - f;
    if (diff > 0.5) return f + 1;
    if (diff < 0.5) return f;
    return f % 2 === 0 ? f : f + 1;
  }

  // str(value) of a JSON value as Python shows it. A JSON number with no fraction reads as a Python int.
  function pyStr(v) {
    if (v === null || v === undefined) return "None";
    if (v === true) return "True";
    if (v === false) return "False";
    if (isNumber(v)) return Number.isInteger(v) ? String(v) : floatRepr(v);
    if (typeof v === "string") return v;
    if (Array.isArray(v)) return "[" + v.map(pyRepr).join(", ") + "]";
    if (v instanceof Moment) return v.iso();
    if (v instanceof Day) return v.iso();
    return "{" + Object.keys(v).map(function (k) { return pyRepr(k) + ": " + pyRepr(v[k]); }).join(", ") + "}";
  }
  function pyRepr(v) {
    if (typeof v !== "string") return pyStr(v);
    var q = v.indexOf("'") >= 0 && v.indexOf('"') < 0 ? '"' : "'";
    var body = v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t");
    if (q === "'") body = body.replace(/'/g, "\\'");
    return q + body + q;
  }

  // Python's float(v) for what a finding may hold; throws where Python raises.
  function pyFloat(v) {
    if (isNumber(v)) return v;
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "string") {
      var s = pyStrip(v).replace(/_/g, "");
      if (/^[+-]?(inf|infinity)$/i.test(s)) return s[0] === "-" ? -Infinity : Infinity;
      if (/^[+-]?nan$/i.test(s)) return NaN;
      if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return Number(s);
    }
    throw new TypeError("not a number");
  }

  // Python's == on JSON values (True == 1, 1 == 1.0; lists and dicts compared item by item).
  function pyEq(a, b) {
    if (a === null || a === undefined || b === null || b === undefined) {
      return (a === null || a === undefined) && (b === null || b === undefined);
    }
    var numA = isNumber(a) || typeof a === "boolean", numB = isNumber(b) || typeof b === "boolean";
    if (numA || numB) return numA && numB && Number(a) === Number(b);
    if (typeof a === "string" || typeof b === "string") return a === b;
    if (a instanceof Moment || b instanceof Moment) return a instanceof Moment && b instanceof Moment && a.us === b.us;
    if (a instanceof Day || b instanceof Day) return a instanceof Day && b instanceof Day && a.days === b.days;
    if (Array.isArray(a) || Array.isArray(b)) {
      return Array.isArray(a) && Array.isArray(b) && a.length === b.length &&
        a.every(function (x, i) { return pyEq(x, b[i]); });
    }
    var ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every(function (k) { return has(b, k) && pyEq(a[k], b[k]); });
  }

  // str.strip() and "blank" as Python has them (Python's whitespace set, not JavaScript's).
  var PY_SPACE = "[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
  var STRIP = new RegExp("^" + PY_SPACE + "+|" + PY_SPACE + "+$", "g");
  function pyStrip(s) {
    return s.replace(STRIP, "");
  }
  function blank(v) {
    return v === null || v === undefined || (typeof v === "string" && pyStrip(v) === "");
  }

  // --- dates and times ------------------------------------------------------------------------------
  // Kept as whole microseconds since 1970 (exact in a double until the year 2255) with the offset they
  // were given in, because Python keeps an answer's own offset in what it reports (retry_after).

  var US_DAY = 86400e6;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function daysFromCivil(y, m, d) { // days since 1970-01-01 (proleptic Gregorian)
    y -= m <= 2 ? 1 : 0;
    var era = Math.floor(y / 400), yoe = y - era * 400;
    var doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
    var doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
    return era * 146097 + doe - 719468;
  }
  function civilFromDays(z) {
    z += 719468;
    var era = Math.floor(z / 146097), doe = z - era * 146097;
    var yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
    var y = yoe + era * 400, doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    var mp = Math.floor((5 * doy + 2) / 153), d = doy - Math.floor((153 * mp + 2) / 5) + 1;
    var m = mp + (mp < 10 ? 3 : -9);
    return { y: y + (m <= 2 ? 1 : 0), m: m, d: d };
  }
  function monthLength(y, m) {
    return [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  }

  function Day(days) { this.days = days; } // a date answer (no time)
  Day.prototype.iso = function () {
    var c = civilFromDays(this.days);
    return pad(c.y, 4) + "-" + pad(c.m, 2) + "-" + pad(c.d, 2);
  };
  Day.prototype.human = function () { // "%-d %b %Y"
    var c = civilFromDays(this.days);
    return c.d + " " + MONTHS[c.m - 1] + " " + c.y;
  };
  Day.of = function (y, m, d) {
    if (m < 1 || m > 12 || d < 1 || d > monthLength(y, m) || y < 1 || y > 9999) return null;
    return new Day(daysFromCivil(y, m, d));
  };

  function Moment(us, off) { this.us = us; this.off = off; } // off: seconds east of UTC, or null (naive)
  Moment.prototype.local = function () { return this.us + (this.off || 0) * 1e6; };
  Moment.prototype.date = function () { return new Day(Math.floor(this.local() / US_DAY)); };
  Moment.prototype.plus = function (us) { return new Moment(this.us + us, this.off); };
  Moment.prototype.iso = function () { // datetime.isoformat()
    var local = this.local(), days = Math.floor(local / US_DAY), rest = local - days * US_DAY;
    var secs = Math.floor(rest / 1e6), micro = rest - secs * 1e6;
    var s = new Day(days).iso() + "T" + pad(Math.floor(secs / 3600), 2) + ":" + pad(Math.floor(secs / 60) % 60, 2) +
      ":" + pad(secs % 60, 2) + (micro ? "." + pad(micro, 6) : "");
    if (this.off === null) return s;
    var o = Math.abs(this.off);
    return s + (this.off < 0 ? "-" : "+") + pad(Math.floor(o / 3600), 2) + ":" + pad(Math.floor(o / 60) % 60, 2) +
      (o % 60 ? ":" + pad(o % 60, 2) : "");
  };
  // The same wall-clock time `months` calendar months later (negative: earlier), the day clamped.
  Moment.prototype.addMonths = function (months) {
    var local = this.local(), days = Math.floor(local / US_DAY), rest = local - days * US_DAY;
    var c = civilFromDays(days), index = c.y * 12 + (c.m - 1) + months;
    var y = Math.floor(index / 12), m = index - y * 12 + 1;
    var d = Math.min(c.d, monthLength(y, m));
    return new Moment((daysFromCivil(y, m, d)) * US_DAY + rest - (this.off || 0) * 1e6, this.off);
  };

  // date.fromisoformat: "2025-03-01" or "20250301".
  function parseDate(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text) || /^(\d{4})(\d{2})(\d{2})$/.exec(text);
    return m ? Day.of(+m[1], +m[2], +m[3]) : null;
  }

  // datetime.fromisoformat (Python 3.11) for the forms in use: a date, any one character, the time
  // (hh, hh:mm, hh:mm:ss, with a fraction of any length, or hhmm, hhmmss), and an offset (Z, ±hh,
  // ±hh:mm, ±hhmm, ±hh:mm:ss). A date alone is midnight with no offset (naive).
  function parseDateTime(text) {
    var n = text[4] === "-" ? 10 : 8, day = parseDate(text.slice(0, n));
    if (!day) return null;
    var rest = text.slice(n);
    if (rest === "") return new Moment(day.days * US_DAY, null);
    rest = rest.slice(1); // the separator may be any single character
    var m = /^(\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?(?:(Z)|([+-])(\d{2})(?::?(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?)?$/.exec(rest);
    if (!m) return null;
    var h = +m[1], mi = +(m[2] || 0), s = +(m[3] || 0), frac = m[4] ? +(m[4] + "00000").slice(0, 6) : 0;
    if (h > 23 || mi > 59 || s > 59) return null;
    var off = null;
    if (m[5]) off = 0;
    else if (m[6]) {
      off = (+m[7] * 3600 + +(m[8] || 0) * 60 + +(m[9] || 0)) * (m[6] === "-" ? -1 : 1);
      if (Math.abs(off) >= 86400) return null;
    }
    var local = day.days * US_DAY + ((h * 60 + mi) * 60 + s) * 1e6 + frac;
    return new Moment(local - (off || 0) * 1e6, off);
  }

  function nowMoment(now) {
    if (now === undefined || now === null) return new Moment(Date.now() * 1000, 0);
    if (now instanceof Date) return new Moment(now.getTime() * 1000, 0);
    var parsed = typeof now === "string" ? parseDateTime(pyStrip(now)) : null;
    if (!parsed || parsed.off === null) throw new Refusal({ now: "needs a time zone" });
    return parsed;
  }

  // The calendar date of a moment where the server counts days (its TIME_ZONE), as timezone.localdate.
  function localDay(moment, zone) {
    if (!zone || zone === "UTC") return new Day(Math.floor(moment.us / US_DAY));
    var parts = {};
    new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(new Date(Math.floor(moment.us / 1000)))
      .forEach(function (p) { parts[p.type] = p.value; });
    return Day.of(+parts.year, +parts.month, +parts.day);
  }

  // --- the organisation's settings (org_settings.py) -------------------------------------------------

  function settingValue(bundle, id) {
    var o = bundle.settings.overrides || {};
    return has(o, id) ? o[id] : bundle.settings.definitions[id]["default"];
  }
  function settingUse(bundle, id) { // SettingUse
    var d = bundle.settings.definitions[id];
    return {
      id: d.id, label: d.label, value: settingValue(bundle, id), unit: d.unit, "default": d["default"],
      is_default: !has(bundle.settings.overrides || {}, id), sources: d.sources.slice(),
      sources_disagree: !!d.sources_disagree,
    };
  }

  // --- the client's facts for the day (screening.ClientFacts.from_birth, population.py) --------------

  function yearsOld(birth, on) {
    var b = civilFromDays(birth.days), o = civilFromDays(on.days);
    return o.y - b.y - ((o.m < b.m || (o.m === b.m && o.d < b.d)) ? 1 : 0);
  }

  function facts(bundle, on) {
    var c = bundle.client, birth = parseDate(c.birth_date);
    var age = on.days - birth.days;
    if (age < 0) throw new Refusal({ birth_date: "is after the screening date" });
    var gw = c.gestation_weeks === undefined ? null : c.gestation_weeks;
    var gd = gw === null ? null : c.gestation_days || 0;
    var corrected = null, pma = null;
    if (gw !== null) {
      if (!(gw >= 22 && gw <= 44)) throw new Refusal({ gestation_weeks: "expected 22 to 44 completed weeks" });
      if (!(gd >= 0 && gd <= 6)) throw new Refusal({ gestation_days: "expected 0 to 6 days" });
      var gestation = gw * 7 + gd;
      corrected = age - (280 - gestation);
      pma = gestation + age;
    }
    return {
      population: c.population, conditions: uniqueSorted(c.conditions || []), birth: birth, on: on,
      age_days: age, gestation_weeks: gw, gestation_days: gd, corrected_age_days: corrected,
      postmenstrual_age_days: pma,
    };
  }

  function fact(f, name) {
    if (name === "postmenstrual_age_weeks") return f.postmenstrual_age_days === null ? null : f.postmenstrual_age_days / 7;
    var v = f[name];
    return v === null || v === undefined ? null : v;
  }

  // population.allowed_populations: the groups the record allows on the day.
  function allowedPopulations(f) {
    var suggested;
    if (f.age_days < 365) {
      suggested = "infant";
      if (f.gestation_weeks !== null && f.gestation_weeks < 37 &&
          f.gestation_weeks * 7 + (f.gestation_days || 0) + f.age_days < 52 * 7) suggested = "preterm_infant";
      return f.gestation_weeks === null ? ["infant", "preterm_infant"] : [suggested];
    }
    var years = yearsOld(f.birth, f.on);
    if (years < 18) return years >= 12 ? ["child", "rehab"] : ["child"];
    return [f.conditions.indexOf("stroke") >= 0 ? "stroke" : "rehab"];
  }

  // --- answers checked against their questions (answers.py) ------------------------------------------

  function choiceIds(bundle, q) {
    if (q.choices_from === "conditions") return Object.keys(bundle.conditions);
    if (q.choices_from === "states") return Object.keys(bundle.states);
    return (q.choices || []).map(function (c) { return c.id; });
  }

  function ids(value, allowed, what) {
    if (!Array.isArray(value)) throw new Error("expected a list of " + what + " (an empty list means none)");
    var out = [];
    value.forEach(function (item) {
      if (typeof item !== "string" || allowed.indexOf(item) < 0) throw new Error("'" + pyStr(item) + "' is not a known " + what);
      if (out.indexOf(item) < 0) out.push(item);
    });
    return out;
  }

  function cleanOne(bundle, q, value, now) {
    if (q.type === "yes_no") {
      if (typeof value !== "boolean") throw new Error("expected yes or no (true or false)");
      return value;
    }
    if (q.type === "number") {
      if (!isNumber(value) || !Number.isFinite(value)) throw new Error("expected a number in " + pyStr(q.unit));
      if (!(q.min <= value && value <= q.max)) {
        throw new Error("expected " + fmtG(q.min) + " to " + fmtG(q.max) + " " + q.unit + ", got " + fmtG(value));
      }
      return value;
    }
    if (q.type === "date") {
      var day = typeof value === "string" ? parseDate(pyStrip(value)) : null;
      if (!day) throw new Error("expected a date such as 2025-03-01");
      if (day.days > now.date().days) throw new Error("cannot be in the future");
      return day;
    }
    if (q.type === "datetime") {
      var at = typeof value === "string" ? parseDateTime(pyStrip(value)) : null;
      if (!at) throw new Error("expected a date and time such as 2025-03-01T09:30+00:00");
      if (at.off === null) throw new Error("the time needs a time zone");
      if (at.us > now.us + 5 * 60e6) throw new Error("cannot be in the future"); // 5 minutes' clock skew
      return at;
    }
    if (q.type === "choice") {
      if (typeof value !== "string" || choiceIds(bundle, q).indexOf(value) < 0) {
        throw new Error("'" + pyStr(value) + "' is not one of the choices");
      }
      return value;
    }
    if (q.type === "multi_choice") return ids(value, choiceIds(bundle, q), "choice");
    if (q.type === "region_multi_choice") {
      var drawable = bundle.regions.filter(function (r) { return r.kind === "area" || r.kind === "group"; })
        .map(function (r) { return r.id; });
      return ids(value, drawable, "body region");
    }
    if (typeof value !== "string") throw new Error("expected text");
    var text = pyStrip(value);
    if (Array.from(text).length > 4000) throw new Error("at most 4000 characters");
    return text;
  }

  function cleanAnswers(bundle, scope, answers, now) {
    if (!isObject(answers)) {
      var e = {};
      e[scope] = "expected answers keyed by question id";
      throw new Refusal(e);
    }
    var errors = {}, clean = {}, where = scope === "intake" ? "intake" : "today's check";
    Object.keys(answers).forEach(function (key) {
      var q = has(bundle.questions, key) ? bundle.questions[key] : null;
      var value = answers[key];
      if (!q || q.scope !== scope) { errors[key] = "not a question of the " + where; return; }
      if (blank(value)) { clean[key] = null; return; }
      try { clean[key] = cleanOne(bundle, q, value, now); } catch (err) { errors[key] = err.message; }
    });
    // A list asked only after a "yes": a "no" means none, and a "yes" needs at least one item.
    Object.keys(bundle.questions).forEach(function (id) {
      var q = bundle.questions[id], gate = q.ask_if;
      if (q.scope !== scope || !gate || !gate.otherwise_none || has(errors, id)) return;
      var said = has(clean, gate.question) ? clean[gate.question] : null;
      var own = has(clean, id) ? clean[id] : null;
      if (said === false && own === null) clean[id] = [];
      else if (said === true && Array.isArray(own) && own.length === 0) {
        var what = q.type === "region_multi_choice" ? "the areas" : "what applies";
        errors[id] = "choose at least one of " + what + ': the answer to "' + bundle.questions[gate.question].label + '" was yes';
      }
    });
    if (Object.keys(errors).length) throw new Refusal(errors);
    return clean;
  }

  // findings.contradictions: a follow-up answered although its gate says it does not apply.
  function contradictions(bundle, answers) {
    var errors = {};
    ["intake", "today"].forEach(function (scope) {
      Object.keys(answers[scope]).forEach(function (qid) {
        var q = bundle.questions[qid], value = answers[scope][qid];
        if (!q || !q.ask_if || value === null || (Array.isArray(value) && value.length === 0)) return;
        var gate = bundle.questions[q.ask_if.question];
        var given = has(answers[gate.scope], gate.id) ? answers[gate.scope][gate.id] : null;
        if (given !== null && !pyEq(given, q.ask_if.equals)) {
          var shown = typeof given === "boolean" ? (given ? "yes" : "no") : pyStr(given);
          errors[qid] = 'This contradicts the answer "' + shown + '" to "' + gate.label + '". Correct one of the two.';
        }
      });
    });
    return errors;
  }

  // --- the condition language, three-valued (predicates.py) ------------------------------------------
  // An outcome: value true / false / null (unknown: an answer or fact it needs is missing), the missing
  // items, the settings it used, and when a time-limited truth runs out (retry).

  var TAGS = ["all", "any", "not", "answer", "client_has", "fact", "population", "in_protocol_population", "text_mentions"];
  var COMPARATORS = ["lt", "le", "gt", "ge"];

  function tagOf(p) {
    for (var i = 0; i < TAGS.length; i++) if (has(p, TAGS[i])) return TAGS[i];
    throw new Error("not a condition");
  }
  function comparison(p) {
    for (var i = 0; i < COMPARATORS.length; i++) {
      if (has(p, COMPARATORS[i]) && p[COMPARATORS[i]] !== null) return [COMPARATORS[i], p[COMPARATORS[i]]];
    }
    return null;
  }
  function given(p, key) {
    return has(p, key) && p[key] !== null;
  }
  function outcome(value, missing, settings, retry) {
    return { value: value, missing: missing || [], settings: settings || [], retry: retry || null };
  }
  function union(lists) {
    var out = [];
    lists.forEach(function (l) { l.forEach(function (x) { if (out.indexOf(x) < 0) out.push(x); }); });
    return out;
  }
  function operand(ctx, op, used) {
    if (isObject(op)) { // {setting, times}: a converted value is rounded to a whole number, as meters show it
      if (used.indexOf(op.setting) < 0) used.push(op.setting);
      var v = settingValue(ctx.bundle, op.setting);
      return op.times === undefined || op.times === null ? v : pyRound(v * op.times);
    }
    return op;
  }
  function compare(left, op, right) {
    return op === "lt" ? left < right : op === "le" ? left <= right : op === "gt" ? left > right : left >= right;
  }

  var UNIT_SECONDS = { minutes: 60, hours: 3600, days: 86400, weeks: 604800 };

  function evalAnswer(p, ctx) {
    var value = ctx.answer(p.answer);
    if (blank(value)) {
      if (p.missing === "false") return outcome(false);
      if (p.missing === "true") return outcome(true);
      return outcome(null, [p.answer]);
    }
    var used = [], retry = null, result;
    if (given(p, "equals")) result = pyEq(value, p.equals);
    else if (given(p, "in")) result = p["in"].some(function (v) { return pyEq(value, v); });
    else if (given(p, "contains")) {
      result = typeof value === "string" ? value.indexOf(p.contains) >= 0
        : value.some(function (v) { return pyEq(v, p.contains); });
    } else if (given(p, "nonempty")) result = value.length > 0;
    else if (given(p, "within")) {
      var id = p.within.setting, amount = settingValue(ctx.bundle, id), unit = ctx.bundle.settings.definitions[id].unit;
      used.push(id);
      var start;
      if (unit === "months") start = ctx.now.addMonths(-Math.trunc(amount));
      else if (has(UNIT_SECONDS, unit)) start = ctx.now.plus(-pyRound(amount * UNIT_SECONDS[unit] * 1e6));
      else throw new Error("unit '" + unit + "' cannot be used as a time window");
      // A date (no time) could be any time that day: count from its end, so the window lasts as long as
      // it might (the conservative reading), in the offset of "now".
      var moment = value instanceof Day
        ? new Moment((value.days + 1) * US_DAY - (ctx.now.off || 0) * 1e6, ctx.now.off) : value;
      result = moment.us > start.us;
      if (result) { // when the window closes for this answer: the earliest time the rule stops firing
        retry = unit === "months" ? moment.addMonths(Math.trunc(amount)) : moment.plus(ctx.now.us - start.us);
      }
    } else {
      var cmp = comparison(p);
      result = compare(pyFloat(value), cmp[0], operand(ctx, cmp[1], used));
    }
    return outcome(!!result, [], used, retry);
  }

  function escapeRegExp(s) {
    return s.replace(/[.*+?^${}()|[\]\\\/]/g, "\\$&"); // only what the "u" flag lets be escaped
  }

  // predicates.text_findings: the findings a free-text answer names, by word stem, in the rule's order.
  function textFindings(p, ctx) {
    var texts = [];
    p.text_mentions.answers.forEach(function (q) {
      var v = ctx.answer(q);
      if (!blank(v)) texts.push(pyStr(v));
    });
    if (!texts.length) return [];
    var joined = texts.join("\n");
    return Object.keys(p.text_mentions.terms).filter(function (finding) {
      return p.text_mentions.terms[finding].some(function (stem) {
        // A word starting with the stem: not preceded by a letter (case-insensitive, like re.IGNORECASE).
        return new RegExp("(?<![a-z])" + escapeRegExp(stem.toLowerCase()), "iu").test(joined);
      });
    });
  }

  function evaluate(p, ctx) {
    var tag = tagOf(p), outs, held, unknown;
    if (tag === "all") {
      outs = p.all.map(function (part) { return evaluate(part, ctx); });
      // False as soon as one part is false, so a blank only matters where it could change the result.
      if (outs.some(function (o) { return o.value === false; })) return outcome(false);
      var settings = union(outs.map(function (o) { return o.settings; }));
      if (outs.some(function (o) { return o.value === null; })) {
        return outcome(null, union(outs.map(function (o) { return o.missing; })), settings);
      }
      // All parts hold; the whole stops holding as soon as the first time-limited part runs out.
      var retries = outs.map(function (o) { return o.retry; }).filter(Boolean);
      return outcome(true, [], settings, retries.length ? earliest(retries) : null);
    }
    if (tag === "any") {
      outs = p.any.map(function (part) { return evaluate(part, ctx); });
      held = outs.filter(function (o) { return o.value === true; });
      if (held.length) {
        // It stops holding only when every part that holds has run out; one lasting part means never.
        var ends = held.map(function (o) { return o.retry; });
        var retry = ends.some(function (e) { return e === null; }) ? null : latest(ends);
        return outcome(true, [], union(held.map(function (o) { return o.settings; })), retry);
      }
      unknown = outs.filter(function (o) { return o.value === null; });
      if (unknown.length) {
        return outcome(null, union(unknown.map(function (o) { return o.missing; })),
          union(outs.map(function (o) { return o.settings; })));
      }
      return outcome(false);
    }
    if (tag === "not") {
      var o = evaluate(p.not, ctx);
      return outcome(o.value === null ? null : !o.value, o.missing, o.settings);
    }
    if (tag === "answer") return evalAnswer(p, ctx);
    if (tag === "client_has") return outcome(p.client_has.some(function (c) { return ctx.facts.conditions.indexOf(c) >= 0; }));
    if (tag === "population") return outcome(p.population.indexOf(ctx.facts.population) >= 0);
    if (tag === "in_protocol_population") return outcome(ctx.protocol.populations.indexOf(ctx.facts.population) >= 0);
    if (tag === "text_mentions") return outcome(textFindings(p, ctx).length > 0);
    var value = fact(ctx.facts, p.fact); // tag "fact"
    if (value === null) return outcome(null, ["client." + p.fact]);
    var cmp = comparison(p), used = [];
    return outcome(compare(value, cmp[0], operand(ctx, cmp[1], used)), [], used);
  }

  // min() / max() of aware datetimes: by instant; the first of equals wins, as in Python.
  function earliest(list) {
    return list.reduce(function (a, b) { return b.us < a.us ? b : a; });
  }
  function latest(list) {
    return list.reduce(function (a, b) { return b.us > a.us ? b : a; });
  }

  function walk(p, out) {
    out = out || [];
    out.push(p);
    var tag = tagOf(p);
    if (tag === "all") p.all.forEach(function (x) { walk(x, out); });
    else if (tag === "any") p.any.forEach(function (x) { walk(x, out); });
    else if (tag === "not") walk(p.not, out);
    return out;
  }

  // --- what a rule read, and whether a release still covers it (findings.py) --------------------------

  function plain(v) {
    if (v instanceof Moment || v instanceof Day) return v.iso();
    if (Array.isArray(v)) return sortStrings(v.map(plain));
    return v;
  }

  function findingOf(rule, ctx) {
    var out = {}, conditions = [];
    walk(rule.when).forEach(function (part) {
      var tag = tagOf(part);
      if (tag === "answer") out["answer:" + part.answer] = plain(ctx.answer(part.answer));
      else if (tag === "client_has") {
        part.client_has.forEach(function (c) {
          if (ctx.facts.conditions.indexOf(c) >= 0 && conditions.indexOf(c) < 0) conditions.push(c);
        });
        out.conditions = sortStrings(conditions);
      } else if (tag === "fact") out["fact:" + part.fact] = fact(ctx.facts, part.fact);
      else if (tag === "text_mentions") out.text = uniqueSorted((out.text || []).concat(textFindings(part, ctx)));
    });
    ((rule.regions || {}).from_answers || []).forEach(function (q) { out["answer:" + q] = plain(ctx.answer(q)); });
    return out;
  }

  // For each key of the finding, which way is worse: low, high, recent, more, or same (any change).
  function directions(rule) {
    var out = {};
    function put(key, dir) { out[key] = !has(out, key) || out[key] === dir ? dir : "same"; }
    walk(rule.when).forEach(function (part) {
      var tag = tagOf(part);
      if (tag === "answer" || tag === "fact") {
        var key = tag === "answer" ? "answer:" + part.answer : "fact:" + part.fact, cmp = comparison(part);
        if (cmp) put(key, cmp[0] === "lt" || cmp[0] === "le" ? "low" : "high");
        else if (tag === "answer" && given(part, "within")) put(key, "recent");
        else if (tag === "answer" && (given(part, "contains") || given(part, "nonempty"))) put(key, "more");
        else put(key, "same");
      } else if (tag === "client_has") put("conditions", "more");
      else if (tag === "text_mentions") put("text", "more");
    });
    ((rule.regions || {}).from_answers || []).forEach(function (q) { put("answer:" + q, "more"); });
    return out;
  }

  function keyLabel(bundle, key) {
    var i = key.indexOf(":"), kind = i < 0 ? key : key.slice(0, i), name = i < 0 ? "" : key.slice(i + 1);
    if (kind === "answer" && has(bundle.questions, name)) return '"' + bundle.questions[name].label + '"';
    if (kind === "fact") return name.replace(/_/g, " ");
    return { conditions: "the conditions on the record", text: "what the free-text history names" }[key] || key;
  }

  function shown(v) {
    if (v === null || v === undefined) return "not known";
    if (Array.isArray(v) && v.length === 0) return "none";
    if (typeof v === "boolean") return v ? "yes" : "no";
    // Every number a finding holds is a Python float (answers and facts are read as floats).
    if (isNumber(v)) return Number.isInteger(v) ? fmtThousands(v) : floatRepr(v);
    if (Array.isArray(v)) return v.map(function (x) { return pyStr(x).replace(/_/g, " "); }).join(", ");
    return pyStr(v);
  }

  function asSet(v) {
    if (typeof v === "string") return Array.from(v);
    if (Array.isArray(v)) return v;
    throw new TypeError("not iterable");
  }

  function releaseCovers(bundle, rule, released, now) {
    var dirs = directions(rule), changes = [];
    uniqueSorted(Object.keys(released).concat(Object.keys(now))).forEach(function (key) {
      var old = has(released, key) ? released[key] : null, neu = has(now, key) ? now[key] : null;
      if (pyEq(old, neu)) return;
      var dir = has(dirs, key) ? dirs[key] : "same", worse;
      if (neu === null || old === null) worse = true; // lost, or not known when released
      else if (dir === "more") {
        var before = asSet(old);
        worse = !asSet(neu).every(function (x) { return before.some(function (y) { return pyEq(x, y); }); });
      } else if (dir === "low" || dir === "high") {
        try {
          worse = dir === "low" ? pyFloat(neu) < pyFloat(old) : pyFloat(neu) > pyFloat(old);
        } catch (err) { worse = true; }
      } else if (dir === "recent") worse = pyStr(neu) > pyStr(old); // ISO dates compare in time order
      else worse = true;
      if (worse) changes.push(keyLabel(bundle, key) + " is now " + shown(neu) + " (was " + shown(old) + ")");
    });
    return changes.length ? changes.join("; ") : null;
  }

  // selectors.releases_given for the day: per rule, the newest release still running that counts for the
  // person who fetched the bundle; where none counts, the newest one with why not.
  function releasesGiven(bundle, protocolId, on) {
    var out = {};
    (bundle.releases || []).forEach(function (r) { // newest first
      if (r.protocol_id !== protocolId) return;
      var whyNot = null, until = r.valid_until ? parseDate(r.valid_until) : null;
      if (until && until.days < on.days) whyNot = "it ended on " + until.human();
      else if (!bundle.self_release && r.by_you) {
        whyNot = "it was given by the person running this check, and a second clinician must release";
      }
      var current = out[r.rule_id];
      if (current && (current.not_counted === null || whyNot !== null)) return;
      out[r.rule_id] = {
        rule_id: r.rule_id, finding: r.finding === undefined ? null : r.finding,
        given_on: r.given_on ? parseDate(r.given_on) : null, given_by: r.given_by || "", not_counted: whyNot,
      };
    });
    return out;
  }

  // --- regions (catalog.py) ---------------------------------------------------------------------------

  function regionIndex(bundle) {
    if (!bundle._regions) {
      var byId = {};
      bundle.regions.forEach(function (r) { byId[r.id] = r; });
      Object.defineProperty(bundle, "_regions", { value: byId, enumerable: false });
    }
    return bundle._regions;
  }
  function areasOf(bundle, ids) { // groups expanded to the areas they hold
    var byId = regionIndex(bundle), out = [], stack = ids.slice();
    while (stack.length) {
      var id = stack.pop(), region = byId[id];
      if (region.kind === "area" && out.indexOf(id) < 0) out.push(id);
      if (region.kind === "group" || region.kind === "area") {
        bundle.regions.forEach(function (r) { if (r.parent === id) stack.push(r.id); });
      }
    }
    return out;
  }
  function distalOf(bundle, id) { // the limb below an area, nearest first
    var byId = regionIndex(bundle), out = [], current = byId[id].next_distal || null;
    while (current !== null && out.indexOf(current) < 0) { out.push(current); current = byId[current].next_distal || null; }
    return out;
  }
  function limbOf(bundle, id) { // every segment of the limb an area belongs to
    var above = [], current = id;
    for (;;) {
      var parent = null;
      for (var i = 0; i < bundle.regions.length; i++) {
        if (bundle.regions[i].next_distal === current) { parent = bundle.regions[i].id; break; }
      }
      if (parent === null || above.indexOf(parent) >= 0) break;
      above.unshift(parent);
      current = parent;
    }
    return above.concat([id], distalOf(bundle, id));
  }

  function regionsFor(bundle, rule, ctx) {
    var spec = rule.regions, chosen = (spec.fixed || []).slice(), missing = [];
    (spec.from_answers || []).forEach(function (q) {
      var v = ctx.answer(q);
      if (v === null || v === undefined) missing.push(q);
      else chosen = chosen.concat(v);
    });
    var areas = areasOf(bundle, chosen);
    if (spec.whole_limb) areas.slice().forEach(function (a) { areas = areas.concat(limbOf(bundle, a)); });
    if (spec.include_distal) areas.slice().forEach(function (a) { areas = areas.concat(distalOf(bundle, a)); });
    return { areas: areasOf(bundle, uniqueSorted(areas)), missing: missing };
  }

  // --- one rule (screening._reason) ---------------------------------------------------------------------

  var RANK = { go: 0, modify: 1, "avoid-areas": 2, "needs-release": 3, stop: 4 };
  var PRESSURE = { light: 1, moderate: 2, firm: 3 };

  function questionLabel(bundle, item) {
    if (item.indexOf("client.") === 0) {
      if (item === "client.postmenstrual_age_weeks") return "postmenstrual age (needs birth date and gestation)";
      return item.slice(7).replace(/_/g, " ");
    }
    return '"' + bundle.questions[item].label + '"';
  }

  function modificationsOf(m) {
    return {
      max_pressure: m.max_pressure === undefined ? null : m.max_pressure,
      minutes_factor: m.minutes_factor === undefined ? null : m.minutes_factor,
      exclude_techniques: (m.exclude_techniques || []).slice(),
      no_joint_movement_at: (m.no_joint_movement_at || []).slice(),
      no_oil: !!m.no_oil,
      ask_permission: !!m.ask_permission,
    };
  }
  function mergeModifications(a, b) { // the stricter of each limit
    var pressures = [a.max_pressure, b.max_pressure].filter(function (p) { return p !== null; });
    var factors = [a.minutes_factor, b.minutes_factor].filter(function (f) { return f !== null; });
    return {
      max_pressure: pressures.length ? pressures.reduce(function (x, y) { return PRESSURE[y] < PRESSURE[x] ? y : x; }) : null,
      minutes_factor: factors.length ? Math.min.apply(null, factors) : null,
      exclude_techniques: uniqueSorted(a.exclude_techniques.concat(b.exclude_techniques)),
      no_joint_movement_at: uniqueSorted(a.no_joint_movement_at.concat(b.no_joint_movement_at)),
      no_oil: a.no_oil || b.no_oil,
      ask_permission: a.ask_permission || b.ask_permission,
    };
  }

  // --- today's steps after a non-blocking verdict (library/adaptation.adapt_routine, care/routine.py) ------
  //
  // The kit (offline/kit.py) keeps each programme's steps as a session would start them after a clear
  // check, and `narrow`: per step what adapt_routine reads (the technique's pressures, whether it moves
  // joints, the step's own pressure and minutes, its regions after the focus areas and before anything is
  // left out) and the plan's limits. A verdict only takes away, so today's steps are those steps narrowed:
  // care/routine.verdict_for_today merges the verdict's limits with the plan's (the stricter of each), then
  // adapt_routine leaves out excluded techniques, techniques with no pressure at or below the cap, regions
  // overlapping an avoided area, and areas barred from joint movement for techniques that move joints; a
  // step with no region left is left out; pressure = min(wanted, cap); minutes x the factor; ask permission
  // before every step but the rituals. tests/library/test_todays_steps_js_parity.py holds it to the server.
  var PRESSURE_NAME = { 1: "light", 2: "moderate", 3: "firm" };
  var CAUSE_ORDER = ["areas_left_out", "technique_excluded", "pressure"]; // care/routine._CAUSE_ORDER

  function todaysSteps(bundle, protocol, result, options) {
    options = options || {};
    var treatmentKinds = options.treatment_kinds || [];
    if (!result || !result.ok || result.blocks || result.action === "stop" || result.action === "needs-release") {
      return { ok: false, error: "blocked" };
    }
    var narrow = protocol && protocol.narrow;
    if (!narrow || !Array.isArray(protocol.steps) || narrow.steps.length !== protocol.steps.length) {
      return { ok: false, error: "no_narrowing" };
    }
    if (options.content_version !== undefined && options.content_version !== bundle.content_version) {
      return { ok: false, error: "content_version" };
    }
    var limits = narrow.limits || {};
    var mods = mergeModifications(
      modificationsOf(result.modifications || {}),
      modificationsOf({ max_pressure: limits.max_pressure || null, minutes_factor: limits.minutes_factor })
    );
    var avoided = areasOf(bundle, uniqueSorted((result.avoided_regions || []).concat(limits.avoid_regions || [])));
    var noMove = areasOf(bundle, mods.no_joint_movement_at);
    var cap = PRESSURE[mods.max_pressure || "firm"];
    var labels = narrow.labels || {};
    var pressureWords = options.pressure_labels || {};
    function overlaps(areas, set) { return areas.some(function (a) { return set.indexOf(a) >= 0; }); }
    function word(rid) { return has(labels, rid) ? labels[rid] : rid.replace(/_/g, " ").toLowerCase(); }
    var steps = [], dropped = [];
    protocol.steps.forEach(function (step, i) {
      var n = narrow.steps[i];
      if (n.technique !== step.technique) throw new Error("narrow: step " + i + " is not its step");
      var gone = { routine: step.routine, technique: step.technique, kind: step.kind, cause: null };
      if (mods.exclude_techniques.indexOf(step.technique) >= 0) gone.cause = "technique_excluded";
      else if (!n.pressures.some(function (p) { return PRESSURE[p] <= cap; })) gone.cause = "pressure";
      var kept = [], out = [];
      if (!gone.cause) {
        n.regions.forEach(function (rid) {
          var areas = areasOf(bundle, [rid]);
          if (overlaps(areas, avoided) || (n.moves_joints && overlaps(areas, noMove))) out.push(rid);
          else kept.push(rid);
        });
        if (!kept.length) gone.cause = "areas_left_out";
      }
      if (gone.cause) { dropped.push(gone); return; }
      var wanted = n.step_pressure ? PRESSURE[n.step_pressure]
        : Math.max.apply(null, n.pressures.map(function (p) { return PRESSURE[p]; }));
      var pressure = (n.step_pressure || mods.max_pressure) ? PRESSURE_NAME[Math.min(wanted, cap)] : null;
      var minutes = (n.minutes && mods.minutes_factor) ? n.minutes * mods.minutes_factor : n.minutes;
      var today = {};
      Object.keys(step).forEach(function (k) { if (k !== "shown") today[k] = step[k]; });
      today.index = steps.length;
      today.regions = kept;
      today.left_out_regions = out;
      today.pressure = pressure;
      today.minutes = minutes === undefined ? null : minutes;
      today.ask_permission = mods.ask_permission && step.kind !== "ritual";
      if (step.shown) {
        today.shown = Object.assign({}, step.shown, {
          where: kept.map(word).join(", "),
          left_out: out.map(word).join(", "),
          pressure: pressure ? (pressureWords[pressure] || pressure) : "",
        });
      }
      steps.push(today);
    });
    var treatment = steps.some(function (s) { return treatmentKinds.indexOf(s.kind) >= 0; });
    var cause = null;
    if (!treatment) {
      var causes = dropped.filter(function (d) { return treatmentKinds.indexOf(d.kind) >= 0; }).map(function (d) { return d.cause; });
      cause = CAUSE_ORDER.filter(function (c) { return causes.indexOf(c) >= 0; })[0] || "none_in_routine";
    }
    return {
      ok: true,
      steps: steps,
      dropped: dropped,
      treatment: treatment,
      no_treatment_cause: cause,
      ask_permission: steps.some(function (s) { return s.ask_permission; }),
      planned_seconds: steps.reduce(function (t, s) { return t + (s.minutes || 0) * 60; }, 0),
      no_oil: mods.no_oil,
    };
  }

  function reasonFor(bundle, rule, ctx, released) {
    var out = evaluate(rule.when, ctx);
    if (out.value === false) return null;
    var unanswered = sortStrings(out.missing), action = rule.action, regions = [], escalated = false, notes = [];
    if (unanswered.length) {
      notes.push("Not answered: " + unanswered.map(function (q) { return questionLabel(bundle, q); }).join("; ") +
        ". Treated as if it applies.");
    }
    if (out.value === true) {
      var overruled = (rule.overrules || []).filter(function (q) { return ctx.answer(q) === false; });
      if (overruled.length) {
        notes.push(overruled.map(function (q) { return questionLabel(bundle, q); }).join("; ") +
          " was answered no, but a measured value says otherwise: the more cautious reading is used.");
      }
    }
    var finding = findingOf(rule, ctx);
    if (finding.text && finding.text.length) notes.push("The history's own words mention: " + finding.text.join(", ") + ".");
    if (rule.action === "avoid-areas") {
      var r = regionsFor(bundle, rule, ctx);
      regions = r.areas;
      r.missing.forEach(function (q) { if (unanswered.indexOf(q) < 0) unanswered.push(q); });
      if (!regions.length) { // cannot name the area: a clinician must confirm first
        action = "needs-release";
        escalated = true;
        notes.push("We could not tell which area to leave out, so a clinician must confirm first.");
      }
    }
    var isReleased = false, voidWhy = null, g = released[rule.id];
    var liftable = action === "needs-release" || (rule.releasable && action === "avoid-areas");
    if (g && liftable) {
      voidWhy = g.not_counted;
      if (voidWhy === null && g.finding !== null) voidWhy = releaseCovers(bundle, rule, g.finding, finding);
      if (voidWhy === null) isReleased = true;
      else {
        voidWhy = "The release given" + (g.given_by ? " by " + g.given_by : "") +
          (g.given_on ? " on " + g.given_on.human() : "") + " does not apply: " + voidWhy + ".";
        notes.push(voidWhy);
      }
    }
    return {
      rule_id: rule.id,
      title: rule.title,
      category: rule.category,
      action: action,
      parent_text: rule.text_parent,
      clinician_text: rule.text_clinician,
      instead: rule.instead,
      sources: rule.sources.slice(),
      basis: rule.basis || "sourced",
      evidence_note: rule.evidence_note === undefined ? null : rule.evidence_note,
      regions: sortStrings(regions),
      modifications: rule.modifications ? modificationsOf(rule.modifications) : null,
      settings: sortStrings(out.settings).map(function (s) { return settingUse(bundle, s); }),
      unanswered: unanswered,
      note: notes.length ? notes.join(" ") : null,
      retry_after: out.value === true && out.retry ? out.retry : null,
      escalated: escalated,
      released: isReleased,
      finding: finding,
      release_void: voidWhy,
    };
  }

  // --- today's check (screening.screen, as services.readiness_check_run calls it) ---------------------

  function checkBundle(bundle, now) {
    if (!isObject(bundle) || bundle.format !== FORMAT) {
      throw new Refusal({ bundle: "These safety rules are from another version of the app: connect once to update them." });
    }
    if (expired(bundle, now)) {
      throw new Refusal({ bundle: "These safety rules are more than a week old: connect once to update them." });
    }
  }

  function expired(bundle, now) {
    var at = parseDateTime(bundle.expires_at), moment = now instanceof Moment ? now : nowMoment(now);
    return !at || moment.us >= at.us;
  }

  function populationLabel(bundle, id) {
    return bundle.populations[id];
  }

  function screenOrRefuse(bundle, answers, options) {
    options = options || {};
    var now = nowMoment(options.now);
    checkBundle(bundle, now);
    var protocolId = options.protocol_id || bundle.protocol_id;
    var protocol = has(bundle.protocols, protocolId) ? bundle.protocols[protocolId] : null;
    if (!protocol) throw new Refusal({ protocol: "Unknown protocol '" + pyStr(protocolId) + "'." });
    var population = bundle.client.population;
    if (isObject(answers) && !options.any_question) { // the server takes only the questions of the set
      var asked = bundle.question_sets.today.questions;
      var stray = sortStrings(Object.keys(answers).filter(function (k) { return asked.indexOf(k) < 0; }));
      if (stray.length) {
        var e = {};
        stray.forEach(function (k) { e[k] = "This question is not part of today's check."; });
        throw new Refusal(e);
      }
    }
    var on = localDay(now, bundle.time_zone);
    var f = facts(bundle, on);
    var unknown = f.conditions.filter(function (c) { return !has(bundle.conditions, c); });
    if (unknown.length) throw new Refusal({ conditions: "unknown condition(s): " + unknown.join(", ") });
    var fitting = allowedPopulations(f);
    if (fitting.indexOf(population) < 0) {
      var names = sortStrings(fitting).map(function (p) { return '"' + populationLabel(bundle, p) + '"'; }).join(" or ");
      throw new Refusal({
        intake: '"' + populationLabel(bundle, population) + "\" does not fit this client's birth date, gestation and " +
          "conditions: the record says " + names + ". Update the health history (intake) so its group fits the record.",
      });
    }
    var clean = {
      intake: cleanAnswers(bundle, "intake", (bundle.intake || {}).answers || {}, now),
      today: cleanAnswers(bundle, "today", answers, now),
    };
    var contradicting = contradictions(bundle, clean);
    if (Object.keys(contradicting).length) throw new Refusal(contradicting);
    var released = releasesGiven(bundle, protocolId, on);
    var ctx = {
      bundle: bundle, facts: f, protocol: protocol, now: now,
      answer: function (qid) {
        var scope = bundle.questions[qid].scope;
        return has(clean[scope], qid) ? clean[scope][qid] : null;
      },
    };
    var reasons = [];
    bundle.rules.forEach(function (rule) { // rules_for: the population's rules, for this programme
      if (rule.populations && rule.populations.length && rule.populations.indexOf(population) < 0) return;
      if (rule.protocols && rule.protocols.length && rule.protocols.indexOf(protocolId) < 0) return;
      var reason = reasonFor(bundle, rule, ctx, released);
      if (reason) reasons.push(reason);
    });
    // Most serious first, released ones last; file order within a rank (a stable sort).
    reasons.sort(function (a, b) { return (a.released - b.released) || (RANK[b.action] - RANK[a.action]); });
    var active = reasons.filter(function (r) { return !r.released; });
    // The verdict is the most serious active reason: one more finding never makes it less cautious.
    var action = active.reduce(function (best, r) { return RANK[r.action] > RANK[best] ? r.action : best; }, "go");
    var mods = modificationsOf({});
    active.forEach(function (r) { if (r.modifications) mods = mergeModifications(mods, r.modifications); });
    var stops = active.filter(function (r) { return r.action === "stop"; });
    var retry = null;
    if (action === "stop" && stops.every(function (r) { return r.retry_after !== null; })) {
      retry = latest(stops.map(function (r) { return r.retry_after; }));
    }
    var avoided = [], unanswered = [];
    active.forEach(function (r) {
      if (r.action === "avoid-areas") avoided = avoided.concat(r.regions);
      unanswered = unanswered.concat(r.unanswered);
    });
    reasons.forEach(function (r) { r.retry_after = r.retry_after ? r.retry_after.iso() : null; });
    return {
      ok: true,
      action: action,
      verdict: action,
      blocks: action === "stop" || action === "needs-release",
      protocol_id: protocolId,
      population: population,
      content_version: bundle.content_version,
      reasons: reasons,
      avoided_regions: uniqueSorted(avoided),
      modifications: mods,
      unanswered: uniqueSorted(unanswered),
      retry_after: retry ? retry.iso() : null,
      findings: active.map(function (r) { return { rule: r.rule_id, decision: r.action, reason: r.parent_text }; }),
    };
  }

  function screen(bundle, answers, options) {
    try {
      return screenOrRefuse(bundle, answers, options);
    } catch (err) {
      if (err instanceof Refusal) return { ok: false, errors: err.errors };
      throw err;
    }
  }

  // --- in-session stop rules (stop_rules.py) ------------------------------------------------------------

  var PLAUSIBLE = [ // outside these no reading is possible in a living client: an entry or probe error
    ["heart_rate", 20, 300, "bpm"], ["spo2", 1, 100, "%"], ["respiratory_rate", 0, 150, "breaths/min"],
    ["temperature_c", 25, 45, "°C"], ["heart_rate_seconds", 0, 86400, "s"], ["spo2_seconds", 0, 86400, "s"],
  ];
  var SESSION_RANK = { slow: 1, pause: 2, stop: 3 };

  function reading(raw) { // VitalReading
    raw = raw || {};
    var out = { at: null };
    if (raw.at !== undefined && raw.at !== null) {
      out.at = parseDateTime(String(raw.at));
      if (!out.at) throw new Refusal({ at: "expected a date and time such as 2025-03-01T09:30+00:00" });
    }
    PLAUSIBLE.forEach(function (p) {
      var name = p[0], v = raw[name], e = {};
      out[name] = v === undefined ? null : v;
      if (v === undefined || v === null) return;
      if (!isNumber(v) || !Number.isFinite(v)) { e[name] = "expected a number in " + p[3]; throw new Refusal(e); }
      if (!(p[1] <= v && v <= p[2])) {
        e[name] = fmtG(v) + " " + p[3] + " is not a possible reading (expected " + fmtG(p[1]) + "–" + fmtG(p[2]) +
          " " + p[3] + "); check the entry or the probe";
        throw new Refusal(e);
      }
    });
    return out;
  }

  function sessionReason(bundle, checkId, detail) {
    var c = bundle.session_checks[checkId];
    return {
      check_id: checkId, action: c.action, label: c.label, parent_text: c.text_parent,
      clinician_text: c.text_clinician, instead: c.instead, detail: detail, sources: c.sources.slice(),
      settings: (c.settings || []).map(function (s) { return settingUse(bundle, s); }),
    };
  }

  function pauseOrStop(bundle, obs, checkId, detail) {
    var allowed = Math.trunc(settingValue(bundle, "pauses_before_stop"));
    if (obs.pauses_so_far >= allowed) {
      return sessionReason(bundle, "repeated_disengagement",
        detail + " (after " + obs.pauses_so_far + " pause(s); " + allowed + " allowed)");
    }
    return sessionReason(bundle, checkId, detail);
  }

  function cueReasons(bundle, obs) {
    var by = { stop: [], pause: [], slow: [] }, hypo = [];
    obs.cues.forEach(function (id, i) {
      var cue = has(bundle.cues, id) ? bundle.cues[id] : null;
      if (!cue) { var e = {}; e["cues[" + i + "]"] = "unknown cue '" + pyStr(id) + "'"; throw new Refusal(e); }
      // Preterm babies: the stricter reading where a source gives one.
      var action = obs.population === "preterm_infant" && cue.nicu_action ? cue.nicu_action : cue.in_session_action;
      if (cue.context === "diabetes" && action === "stop") hypo.push(cue.label.toLowerCase());
      else if (has(by, action)) by[action].push(cue.label.toLowerCase());
    });
    var out = [];
    if (hypo.length) out.push(sessionReason(bundle, "hypo_signs", "Seen: " + hypo.join(", ")));
    if (by.stop.length) out.push(sessionReason(bundle, "cue_stop", "Seen: " + by.stop.join(", ")));
    if (by.pause.length) out.push(pauseOrStop(bundle, obs, "cue_pause", "Seen: " + by.pause.join(", ")));
    if (by.slow.length) out.push(sessionReason(bundle, "cue_slow", "Seen: " + by.slow.join(", ")));
    return out;
  }

  function stateReasons(bundle, obs) {
    if (obs.state === null || obs.state === undefined) return [];
    var state = has(bundle.states, obs.state) ? bundle.states[obs.state] : null;
    if (!state) throw new Refusal({ state: "unknown behavioural state '" + pyStr(obs.state) + "'" });
    var detail = "State " + state.number + ": " + state.label.toLowerCase();
    if (state.id === "crying") return []; // reported once, as crying
    if (state.in_session_action === "stop") return [sessionReason(bundle, "state_stop", detail)];
    if (state.in_session_action === "pause") return [pauseOrStop(bundle, obs, "state_pause", detail)];
    if (state.in_session_action === "slow") return [sessionReason(bundle, "state_slow", detail)];
    return [];
  }

  // How long a value has been out of range, ending at the last reading: the duration the reading
  // reports or the span of consecutive timed readings out of range, whichever is longer; null if unknown.
  function runSeconds(readings, attr, secondsAttr, out) {
    var last = readings[readings.length - 1], run = [last];
    for (var i = readings.length - 2; i >= 0; i--) {
      var v = readings[i][attr];
      if (v === null || !out(v)) break;
      run.push(readings[i]);
    }
    var span = null, first = run[run.length - 1];
    if (run.length > 1 && first.at && last.at) span = (last.at.us - first.at.us) / 1e6;
    var known = [last[secondsAttr], span].filter(function (s) { return s !== null; });
    return known.length ? Math.max.apply(null, known) : null;
  }

  function vitalReasons(bundle, obs) {
    if (!obs.vitals.length) return [];
    var readings = obs.vitals, last = readings[readings.length - 1];
    var previous = readings.length > 1 ? readings[readings.length - 2] : null, out = [];

    function lowCheck(attr, secondsAttr, limitId, secondsId, stopId, briefId, unit) {
      var value = last[attr], limit = settingValue(bundle, limitId);
      if (value === null || !(value < limit)) return;
      var seconds = runSeconds(readings, attr, secondsAttr, function (v) { return v < limit; });
      var needed = settingValue(bundle, secondsId);
      if (seconds === null || seconds >= needed) { // no duration at all: treated as lasting, a stop
        var howLong = seconds === null ? "for an unknown time (treated as lasting)" : "for " + fmtG(seconds) + " s";
        out.push(sessionReason(bundle, stopId, fmtG(value) + unit + ", below " + fmtG(limit) + unit + " " + howLong));
      } else {
        out.push(sessionReason(bundle, briefId, fmtG(value) + unit + ", below " + fmtG(limit) + unit + " for " +
          fmtG(seconds) + " s (less than " + fmtG(needed) + " s)"));
      }
    }
    lowCheck("heart_rate", "heart_rate_seconds", "bradycardia_hr_bpm", "bradycardia_seconds", "bradycardia", "bradycardia_brief", " bpm");
    lowCheck("spo2", "spo2_seconds", "desaturation_spo2_percent", "desaturation_seconds", "desaturation", "desaturation_brief", "%");

    var tachy = settingValue(bundle, "tachycardia_hr_bpm");
    if (last.heart_rate !== null && last.heart_rate > tachy) {
      var persisting = previous !== null && previous.heart_rate !== null && previous.heart_rate > tachy;
      out.push(sessionReason(bundle, persisting ? "tachycardia_persisting" : "tachycardia",
        fmtG(last.heart_rate) + " bpm, above " + fmtG(tachy) + " bpm"));
    }
    if (obs.baseline) {
      var riseLimit = settingValue(bundle, "hr_rise_pause_bpm");
      if (last.heart_rate !== null && obs.baseline.heart_rate !== null) {
        var rise = last.heart_rate - obs.baseline.heart_rate;
        if (rise >= riseLimit) {
          out.push(sessionReason(bundle, "heart_rate_rise", "up " + fmtG(rise) + " bpm from " +
            fmtG(obs.baseline.heart_rate) + " (pause at " + fmtG(riseLimit) + ")"));
        }
      }
      var fallLimit = settingValue(bundle, "spo2_fall_pause_percent");
      if (last.spo2 !== null && obs.baseline.spo2 !== null) {
        var fall = obs.baseline.spo2 - last.spo2;
        if (fall >= fallLimit) {
          out.push(sessionReason(bundle, "spo2_fall", "down " + fmtG(fall) + " points from " + fmtG(obs.baseline.spo2) +
            "% (pause at " + fmtG(fallLimit) + ")"));
        }
      }
    }
    var tMin = settingValue(bundle, "min_axillary_temperature_c");
    if (last.temperature_c !== null && last.temperature_c < tMin) {
      out.push(sessionReason(bundle, "temperature_low", fmtG(last.temperature_c) + " °C, below " + fmtG(tMin) + " °C"));
    }
    if (last.respiratory_rate === 0) out.push(sessionReason(bundle, "apnoea", "respiratory rate 0"));
    return out;
  }

  function observeOrRefuse(bundle, observation) {
    // No expiry here: the stop rules must run whatever the bundle's age (they are the same for every
    // client and change only with the content).
    if (!isObject(bundle) || bundle.format !== FORMAT) {
      throw new Refusal({ bundle: "These safety rules are from another version of the app: connect once to update them." });
    }
    var raw = observation || {};
    var vitals = (raw.vitals || []).map(reading);
    var obs = {
      population: raw.population || bundle.client.population,
      cues: raw.cues || [],
      state: raw.state === undefined ? null : raw.state,
      crying: !!raw.crying,
      vitals: vitals,
      baseline: raw.baseline ? reading(raw.baseline) : null,
      pauses_so_far: raw.pauses_so_far === undefined ? 0 : raw.pauses_so_far,
    };
    if (!has(bundle.populations, obs.population)) {
      throw new Refusal({ population: "unknown population '" + pyStr(obs.population) + "'" });
    }
    if (!Number.isInteger(obs.pauses_so_far) || obs.pauses_so_far < 0) {
      throw new Refusal({ pauses_so_far: "expected a whole number, 0 or more" });
    }
    var reasons = [];
    if (obs.crying || obs.state === "crying") reasons.push(sessionReason(bundle, "crying", "Crying"));
    reasons = reasons.concat(cueReasons(bundle, obs), stateReasons(bundle, obs), vitalReasons(bundle, obs));
    reasons.sort(function (a, b) { return SESSION_RANK[b.action] - SESSION_RANK[a.action]; }); // stable
    var top = reasons.length ? reasons[0].action : "slow";
    var action = top === "stop" ? "stop" : top === "pause" ? "pause" : "continue";
    return { ok: true, action: action, decision: action, reasons: reasons };
  }

  function observe(bundle, observation) {
    try {
      return observeOrRefuse(bundle, observation);
    } catch (err) {
      if (err instanceof Refusal) return { ok: false, errors: err.errors };
      throw err;
    }
  }

  // --- for the offline check form ------------------------------------------------------------------------

  // catalog.questions_asked: the questions of today's set this client is shown on the day (those for a
  // condition only when the client has it, those for young babies only while young enough).
  function questions(bundle, options) {
    var now = nowMoment((options || {}).now), f = facts(bundle, localDay(now, bundle.time_zone));
    return bundle.question_sets.today.questions.map(function (id) { return bundle.questions[id]; }).filter(function (q) {
      var forConditions = q.for_conditions || [];
      return (!forConditions.length || forConditions.some(function (c) { return f.conditions.indexOf(c) >= 0; })) &&
        (q.max_age_days === null || q.max_age_days === undefined || f.age_days < q.max_age_days);
    });
  }

  // forms.fill_settings: a checklist line quoting a setting ("{feeding_wait_minutes}", "{x*18}").
  function label(bundle, question) {
    return (question.item_label || question.label).replace(/\{(\w+)(?:\*(\d+(?:\.\d+)?))?\}/g, function (m, id, times) {
      var v = settingValue(bundle, id);
      return times === undefined ? fmtG(v) : fmtG(pyRound(v * parseFloat(times)));
    });
  }

  var api = {
    FORMAT: FORMAT,
    screen: screen,
    observe: observe,
    questions: questions,
    label: label,
    todaysSteps: todaysSteps,
    expired: function (bundle, now) { return expired(bundle, nowMoment(now)); },
    // Exposed for the parity tests of the number and date formatting.
    _python: { fmtG: fmtG, floatRepr: floatRepr, fmtThousands: fmtThousands, pyRound: pyRound },
  };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.KneadwellRules = api;
})(typeof self !== "undefined" ? self : this);
