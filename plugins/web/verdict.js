/*! verdict.js: Verdict's website snippet. No dependencies; docs/server.md.
 *
 *   <script src="verdict.js"></script>
 *   <script>
 *     Verdict.init({ server: "https://verdict.brightspark.example", token: "vdt_...", cohort: "new_customer" })
 *       .then(function (v) {
 *         if (v.variant("book_now_button") === "on") showBookNow();
 *         button.onclick = function () { v.track("book_now_click", { flag: "book_now_button" }); };
 *       });
 *   </script>
 *
 * The visitor is assigned with the documented hash (docs/flags.md), the same as the server's:
 * Verdict.bucket(changeId, key) gives the bucket, Verdict.assign(...) the arm. Events carry the
 * change_id and the variant served, and an event_id of their own (a beacon sent twice is stored
 * once), and go to /v1/events with navigator.sendBeacon, under a token with the ingest scope
 * only (it can send events and nothing else).
 */
(function (global) {
  "use strict";

  // 32-bit FNV-1a over UTF-16 code units (docs/flags.md).
  function fnv32a(text) {
    var hash = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash >>> 0;
  }

  // The bucket in [0, 1) of a targeting key for a change (its change_id is the seed).
  function bucket(changeId, key) {
    return (fnv32a(String(fnv32a(changeId + key))) % 10000) / 10000;
  }

  // Whether a key is in the treatment at a share of the traffic.
  function assign(changeId, key, share) {
    return 1 - share <= bucket(changeId, key) ? "treatment" : "control";
  }

  // A visitor id kept in localStorage (else for this page only).
  function visitorId() {
    var name = "verdict_visitor";
    try {
      var stored = global.localStorage.getItem(name);
      if (stored) return stored;
      var made = "v-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
      global.localStorage.setItem(name, made);
      return made;
    } catch (e) {
      return "v-" + Math.random().toString(36).slice(2);
    }
  }

  // An id for one event: the time, then 12 random hex digits (crypto's where the browser has
  // it). Ids that start with the time are stored next to the ones just before them.
  function eventId() {
    var bytes = new Uint8Array(6);
    if (global.crypto && global.crypto.getRandomValues) global.crypto.getRandomValues(bytes);
    else for (var i = 0; i < 6; i++) bytes[i] = Math.floor(Math.random() * 256);
    var hex = "";
    for (var j = 0; j < 6; j++) hex += (bytes[j] < 16 ? "0" : "") + bytes[j].toString(16);
    return "web-" + Date.now().toString(36) + "-" + hex;
  }

  function Client(options, flags) {
    this.options = options;
    this.flags = flags;
  }

  // The variant served for a flag (its control when the flag is unknown).
  Client.prototype.variant = function (key, fallback) {
    var flag = this.flags[key];
    return flag ? flag.variant : fallback;
  };

  // Sends one event, tagged with the flag's change and variant; returns whether it was queued.
  Client.prototype.track = function (event, details) {
    details = details || {};
    var flag = details.flag ? this.flags[details.flag] : null;
    var record = {
      event: event,
      timestamp: new Date().toISOString(),
      user_id: this.options.visitor,
      user_cohort: this.options.cohort || undefined,
      change_id: flag && flag.metadata ? flag.metadata.change_id : undefined,
      version_flag: flag ? flag.variant : undefined,
      status: details.status,
      value: details.value,
      props: details.props,
      event_id: eventId()
    };
    var url = this.options.server + "/v1/events?token=" + encodeURIComponent(this.options.token || "");
    var body = JSON.stringify(record) + "\n";
    if (global.navigator && global.navigator.sendBeacon) {
      return global.navigator.sendBeacon(url, new Blob([body], { type: "text/plain" }));
    }
    global.fetch(url, { method: "POST", body: body, keepalive: true });
    return true;
  };

  // Fetches every flag for this visitor (OFREP bulk evaluation) and resolves to a client.
  function init(options) {
    options = options || {};
    options.server = String(options.server || "").replace(/\/+$/, "");
    options.visitor = options.visitor || visitorId();
    var context = { targetingKey: options.visitor };
    if (options.cohort) context.cohort = options.cohort;
    return global.fetch(options.server + "/ofrep/v1/evaluate/flags", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ context: context })
    }).then(function (response) {
      if (!response.ok) throw new Error("verdict: flags answered " + response.status);
      return response.json();
    }).then(function (answer) {
      var flags = {};
      (answer.flags || []).forEach(function (flag) { if (flag.key) flags[flag.key] = flag; });
      return new Client(options, flags);
    });
  }

  global.Verdict = { init: init, bucket: bucket, assign: assign, fnv32a: fnv32a };
})(typeof window !== "undefined" ? window : this);
