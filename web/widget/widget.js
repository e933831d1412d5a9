/*! vouchgraph widget: <script src="https://HOST/widget.js" data-vouchgraph-key="pk_live_…"
 * data-widget="badge|list|refer|ask" data-provider="ID" data-trade="tiler" data-lat data-lon
 * data-limit data-embed-token data-target="#css-selector">. No dependencies. It renders into a
 * Shadow DOM: the page's CSS cannot reach inside, and the widget's cannot leak out. See
 * docs/partners.md. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var d = script.dataset;
  var api = new URL(script.src, location.href).origin;
  var token = d.embedToken || "";

  // The host element. `all: initial !important` on :host, from inside the shadow tree, beats
  // even the page's !important rules for it (the inner context wins for important rules), so
  // nothing the page sets on it, display included, is inherited by the widget.
  var host = document.createElement("vouchgraph-widget");
  var target = d.target && document.querySelector(d.target);
  if (target) target.appendChild(host);
  else script.parentNode.insertBefore(host, script.nextSibling);
  var root = host.attachShadow({ mode: "open" });
  var css = document.createElement("style");
  css.textContent =
    ":host{all:initial!important;display:block!important;visibility:visible!important;" +
    "opacity:1!important;position:static!important;margin:8px 0!important}" +
    ".vg{all:initial;display:block;box-sizing:border-box;max-width:440px;padding:12px 14px;" +
    "border:1px solid #cfd6dd;border-radius:10px;background:#fff;color:#1d2630;" +
    "font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}" +
    ":where(.vg *){box-sizing:border-box;font:inherit;color:inherit;margin:0;padding:0}" +
    ".vg-head{display:flex;justify-content:space-between;align-items:baseline;gap:8px;margin-bottom:6px}" +
    ".vg-name{font-weight:650;font-size:15px}.vg-brand{font-size:11px;color:#5b6875}" +
    ".vg-counts{display:flex;gap:12px;margin:4px 0}.vg-rec{color:#17663a;font-weight:600}" +
    ".vg-warn{color:#a23b12;font-weight:600}.vg-net{color:#1f4e8c;margin:4px 0}" +
    "ul,ol{list-style:none;display:block}li{display:block;padding:5px 0;border-top:1px solid #eef1f4}" +
    ".vg-path,.vg-meta,.vg-muted{display:block;font-size:12px;color:#5b6875}" +
    ".vg-quote{font-style:italic}label{display:block;font-size:12px;font-weight:600;margin-top:8px}" +
    "input,textarea,select{display:block;width:100%;margin-top:2px;padding:6px 8px;border:1px solid #aab4be;" +
    "border-radius:6px;background:#fff}textarea{min-height:56px;resize:vertical}" +
    "button{display:inline-block;margin-top:10px;padding:7px 14px;border:0;border-radius:6px;" +
    "background:#1f5fbf;color:#fff;font-weight:600;cursor:pointer}button:disabled{opacity:.6}" +
    "button:focus-visible,input:focus-visible,textarea:focus-visible,select:focus-visible{outline:2px solid #1f5fbf;outline-offset:2px}" +
    ".vg-status{display:block;margin-top:6px;font-size:12px}" +
    "a{color:#1f4e8c;text-decoration:underline}a:focus-visible{outline:2px solid #1f5fbf;outline-offset:2px}";
  root.appendChild(css);
  var box = el("div", "vg vg-" + (d.widget || "badge"));
  root.appendChild(box);

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function add(parent, tag, cls, text) {
    return parent.appendChild(el(tag, cls, text));
  }
  function people(n, verb) {
    return n + (n === 1 ? " person " + verb + "s" : " people " + verb);
  }
  function call(method, path, body) {
    var headers = { "X-Vouchgraph-Key": d.vouchgraphKey || "" };
    if (token) headers["X-Vouchgraph-Embed-Token"] = token;
    if (body) headers["Content-Type"] = "application/json";
    return fetch(api + path, {
      method: method,
      headers: headers,
      body: body ? JSON.stringify(body) : undefined,
      credentials: "omit",
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error(j.detail || "request failed (" + r.status + ")");
        return j;
      });
    });
  }
  // A link to a page of vouchgraph, in a new tab: the partner's page stays where it is.
  function link(parent, cls, text, path) {
    var a = add(parent, "a", cls, text);
    a.href = api + path;
    a.target = "_blank";
    a.rel = "noopener";
    return a;
  }
  function provider(id) {
    return "/providers/" + encodeURIComponent(id);
  }
  // The widget's heading: the provider's name links to its page on vouchgraph.
  function head(name, providerId) {
    var h = add(box, "div", "vg-head");
    if (providerId != null) link(h, "vg-name", name, provider(providerId));
    else add(h, "span", "vg-name", name);
    add(h, "span", "vg-brand", "trust by vouchgraph");
  }
  function counts(parent, c) {
    var row = add(parent, "div", "vg-counts");
    add(row, "span", "vg-rec", "✓ " + people(c.recommend, "recommend"));
    // A warning count only looks like a warning when there is one.
    add(row, "span", c.warn ? "vg-warn" : "vg-muted", (c.warn ? "⚠ " : "") + c.warn + (c.warn === 1 ? " warns" : " warn"));
    if (c.network_recommend != null) {
      add(parent, "div", "vg-net", people(c.network_recommend, "you trust recommend") +
        (c.network_warn ? ", " + c.network_warn + " warn" : ""));
    }
  }
  function fail(e) {
    box.textContent = "";
    if (e instanceof TypeError) {
      // The request never got an answer the browser would show: most often this page's
      // origin is not among the partner's allowed origins. Visitors read a plain sentence;
      // the partner reads what to change in the console.
      add(box, "span", "vg-muted", "Trust information could not be loaded just now.");
      if (window.console) {
        console.warn("vouchgraph widget: no answer from " + api + ". If this page's origin (" +
          location.origin + ") is not among your partner's allowed origins, add it on " + api +
          "/partners, or check the publishable key.");
      }
      return;
    }
    add(box, "span", "vg-muted", "Trust information is unavailable: " + e.message);
  }
  function query(pairs) {
    return pairs.filter(function (p) { return p[1]; }).map(function (p) {
      return p[0] + "=" + encodeURIComponent(p[1]);
    }).join("&");
  }

  // A form's submit button and status line: while `send` runs the button is disabled and the
  // status says `busy`; then it says what `send` resolved to (and the form is cleared), or why
  // it failed.
  function submitting(form, label, busy, send) {
    var button = add(form, "button", null, label);
    button.type = "submit";
    var status = add(form, "span", "vg-status");
    status.setAttribute("role", "status");
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      button.disabled = true;
      status.textContent = busy;
      send().then(function (message) {
        status.textContent = message;
        form.reset();
      }, function (err) {
        status.textContent = err.message;
      }).then(function () { button.disabled = false; });
    });
  }

  function badge() {
    var q = query([["provider", d.provider], ["trade", d.trade]]);
    return call("GET", "/v1/widget/badge?" + q).then(function (b) {
      box.setAttribute("aria-label", b.name + " on vouchgraph");
      head(b.name, b.provider_id);
      counts(box, b.counts);
      if (b.paths.length) {
        var paths = add(box, "ul", "vg-paths");
        b.paths.forEach(function (p) { add(paths, "li", "vg-path", p.text); });
      }
      if (b.top_vouches.length) {
        var list = add(box, "ul", "vg-vouches");
        b.top_vouches.forEach(function (v) {
          var li = add(list, "li");
          add(li, "span", "vg-voucher", v.name + (v.stance === "warn" ? " warns" : " recommends"));
          if (v.note) add(li, "span", "vg-quote vg-meta", "“" + v.note + "”");
        });
      }
    });
  }

  function list() {
    var q = query([["trade", d.trade], ["lat", d.lat], ["lon", d.lon], ["limit", d.limit]]);
    return call("GET", "/v1/widget/list?" + q).then(function (l) {
      head("Top " + l.trade + "s" + (l.personalized ? " for you" : ""));
      var ol = add(box, "ol", "vg-list");
      l.results.forEach(function (r) {
        var li = add(ol, "li");
        link(li, "vg-name", r.name, provider(r.provider_id));
        add(li, "span", "vg-meta", people(r.counts.recommend, "recommend") + " · " + r.counts.warn + " warn");
        if (r.path) add(li, "span", "vg-path", r.path.text);
      });
      if (!l.results.length) add(box, "span", "vg-muted", "No one has vouched for a " + l.trade + " here yet.");
    });
  }

  function refer() {
    return call("GET", "/v1/widget/refer?" + query([["provider", d.provider]])).then(function (c) {
      head("Refer " + c.name, c.provider_id);
      if (!c.can_refer) {
        add(box, "span", "vg-muted", "Link your vouchgraph account with this site to refer " + c.name + " to a friend, or ");
        link(box, "vg-meta", "refer them on vouchgraph", provider(c.provider_id) + "#refer");
        return;
      }
      var form = add(box, "form", "vg-form");
      var id = "vg" + Math.random().toString(36).slice(2);
      var trade = d.trade || (c.trades[0] && c.trades[0].slug);
      add(form, "label", null, "Your friend's email").htmlFor = id + "e";
      var email = add(form, "input");
      email.type = "email"; email.required = true; email.id = id + "e"; email.autocomplete = "off";
      add(form, "label", null, "A note (optional)").htmlFor = id + "n";
      var note = add(form, "textarea");
      note.id = id + "n"; note.maxLength = 1000;
      submitting(form, "Send referral", "Sending…", function () {
        return call("POST", "/v1/widget/referrals", {
          provider_id: Number(c.provider_id), trade: trade, recipient_email: email.value, note: note.value,
        }).then(function () { return "Referral sent to " + email.value + "."; });
      });
    });
  }

  function ask() {
    return call("GET", "/v1/widget/ask").then(function (c) {
      head("Ask your circle");
      if (!c.can_ask) {
        add(box, "span", "vg-muted", "Link your vouchgraph account with this site to ask the people you trust who they would call, or ");
        link(box, "vg-meta", "ask them on vouchgraph", "/requests");
        return;
      }
      var form = add(box, "form", "vg-form");
      var id = "vg" + Math.random().toString(36).slice(2);
      add(form, "label", null, "Who do you need?").htmlFor = id + "t";
      var trade = add(form, "select");
      trade.id = id + "t";
      c.trades.forEach(function (t) {
        var o = add(trade, "option", null, t.name);
        o.value = t.slug;
        if (t.slug === d.trade) o.selected = o.defaultSelected = true;
      });
      add(form, "label", null, "Where (a neighbourhood, town or postcode; optional)").htmlFor = id + "p";
      var near = add(form, "input");
      near.id = id + "p"; near.maxLength = 200; near.autocomplete = "off";
      add(form, "label", null, "What is the job?").htmlFor = id + "n";
      var note = add(form, "textarea");
      note.id = id + "n"; note.maxLength = 1000;
      submitting(form, "Ask", "Asking…", function () {
        var body = { trade: trade.value, note: note.value };
        if (near.value.trim()) body.near = near.value.trim();
        return call("POST", "/v1/widget/requests", body).then(function (r) {
          return r.recipients
            ? "Asked " + (r.recipients === 1 ? "the person" : "the " + r.recipients + " people") + " best placed to answer. Answers arrive on vouchgraph."
            : "Asked. Nobody in your circle has vouched for one yet; trust a few more people on vouchgraph to reach them.";
        });
      });
    });
  }

  var render = { badge: badge, list: list, refer: refer, ask: ask }[d.widget || "badge"];
  if (!render) return fail(new Error("data-widget must be badge, list, refer or ask"));
  render().catch(fail);
})();
