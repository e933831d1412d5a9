// The embeddable widget on a hostile host page: the page restyles `*`, `div` and `button` with
// !important and reuses the widget's own class names, and the widget (in its Shadow DOM) still
// renders as designed. A partner is set up through the API, as docs/partners.md describes;
// Anna (the demo's story account) links her account, so the badge shows her trust path and the
// refer widget can send a referral in her name, and the ask widget can ask her circle.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const http = require("node:http");
const h = require("./helpers");

/** The host page: everything a careless or hostile stylesheet can do. */
function hostilePage(widgets) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hostile host</title>
<style>
  body * { font-family: "Comic Sans MS", cursive !important; font-size: 31px !important;
           color: #ff00ff !important; background: #ffff00 !important; letter-spacing: 9px !important;
           border: 6px dashed red !important; padding: 40px !important; margin: 0 !important; }
  div, button { display: none !important; visibility: hidden !important; }
  button { color: transparent !important; }
  vouchgraph-widget { display: none !important; opacity: 0 !important; }
  .vg, .vg-badge, .vg-list, .vg-refer, .vg-name, .vg-counts, .vg-rec, .vg-path, .vg-form {
    display: none !important; color: red !important; font-size: 2px !important; }
</style></head><body>
<h1>A partner's page with terrible CSS</h1>
<div class="vg vg-name">The page's own .vg-name div (hidden by the page's own rule)</div>
${widgets}
</body></html>`;
}

/** POST JSON to the server under test; returns the parsed body. */
async function api(method, path, { token, key, body, status = 200 } = {}) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (key) headers["x-vouchgraph-key"] = key;
  const response = await fetch(h.BASE + path, { method, headers, body: body && JSON.stringify(body) });
  const text = await response.text();
  assert.equal(response.status, status, `${method} ${path}: ${text}`);
  return text ? JSON.parse(text) : null;
}

let browser;
let server;
before(async () => {
  browser = await h.launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

test("the widgets render intact on a page that restyles everything", async () => {
  // The host page's server, on another origin than vouchgraph's.
  let html = "";
  server = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(html);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;

  // A partner allowing that origin, with both keys.
  const paula = h.fresh("Paula");
  await api("POST", "/v1/accounts", { body: { email: paula.email, password: paula.password, display_name: paula.name }, status: 201 });
  const session = await api("POST", "/v1/sessions", { body: { email: paula.email, password: paula.password }, status: 201 });
  const partner = await api("POST", "/v1/partners", { token: session.token, body: { name: "Hostile Home Store", allowed_origins: [origin] }, status: 201 });
  const pk = (await api("POST", `/v1/partners/${partner.id}/keys`, { token: session.token, body: { kind: "publishable" }, status: 201 })).key;
  const sk = (await api("POST", `/v1/partners/${partner.id}/keys`, { token: session.token, body: { kind: "secret" }, status: 201 })).key;

  // Anna links her account on the consent page (as her browser would post it)...
  const anna = await api("POST", "/v1/sessions", { body: h.DEMO.anna, status: 201 });
  const linked = await fetch(`${h.BASE}/partners/${partner.id}/link`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: `vg_session=${anna.token}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrf: anna.csrf_token, return_to: `${origin}/linked`, state: "s1" }),
  });
  assert.equal(linked.status, 303);
  const linkToken = new URL(linked.headers.get("location")).searchParams.get("vouchgraph_link_token");
  // ...and the partner's server mints her an embed token with its secret key.
  const embed = (await api("POST", "/v1/embed-tokens", { key: sk, body: { link_token: linkToken }, status: 201 })).token;
  // Asking her circle in her name is a scope the partner must name.
  const askEmbed = (await api("POST", "/v1/embed-tokens", { key: sk, body: { link_token: linkToken, scope: ["ask"] }, status: 201 })).token;

  const search = await api("GET", "/v1/search?trade=tiler&limit=50");
  const rossi = search.results.find((r) => r.name === "Rossi Tiling");
  assert.ok(rossi, "the demo town has Rossi Tiling");
  const tag = (attrs) => `<script src="${h.BASE}/widget.js" data-vouchgraph-key="${pk}" ${attrs}></script>`;
  html = hostilePage([
    tag(`data-widget="badge" data-provider="${rossi.provider_id}" data-trade="tiler" data-embed-token="${embed}"`),
    tag(`data-widget="list" data-trade="tiler" data-limit="3"`),
    tag(`data-widget="refer" data-provider="${rossi.provider_id}" data-trade="tiler" data-embed-token="${embed}"`),
    tag(`data-widget="ask" data-trade="tiler" data-embed-token="${askEmbed}"`),
  ].join("\n"));

  const page = await h.newPage(browser);
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${origin}/`);
  const hosts = page.locator("vouchgraph-widget");
  await page.locator("vouchgraph-widget .vg-badge .vg-name").waitFor();
  await page.locator("vouchgraph-widget .vg-list li").first().waitFor();
  await page.locator("vouchgraph-widget .vg-refer button").waitFor();
  await page.locator("vouchgraph-widget .vg-ask button").waitFor();
  assert.equal(await hosts.count(), 4);

  // The badge: Anna's own view, with the path through Matt.
  const badge = hosts.nth(0);
  assert.equal(await badge.locator(".vg-name").textContent(), "Rossi Tiling");
  assert.match(await badge.locator(".vg-path").first().textContent(), /you → Matt Hughes → recommends Rossi Tiling/);
  assert.match(await badge.locator(".vg-net").textContent(), /you trust recommend/);
  // Names link to the provider's page on vouchgraph, in a new tab.
  const name = badge.locator("a.vg-name");
  assert.equal(await name.getAttribute("href"), `${h.BASE}/providers/${rossi.provider_id}`);
  assert.equal(await name.getAttribute("target"), "_blank");
  assert.match(await hosts.nth(1).locator(".vg-list li a.vg-name").first().getAttribute("href"), /\/providers\/\d+$/);

  // Each widget is shown, at a sane size, in its own font and colours, whatever the page says.
  for (let i = 0; i < 4; i += 1) {
    const box = await hosts.nth(i).boundingBox();
    assert.ok(box && box.height > 40 && box.width > 200, `widget ${i} is not displayed: ${JSON.stringify(box)}`);
    const style = await hosts.nth(i).locator(".vg").evaluate((e) => {
      const s = getComputedStyle(e);
      return { display: s.display, font: s.fontFamily, size: s.fontSize, color: s.color, bg: s.backgroundColor, spacing: s.letterSpacing };
    });
    assert.equal(style.display, "block");
    assert.doesNotMatch(style.font, /Comic/);
    assert.equal(style.size, "14px");
    assert.equal(style.color, "rgb(29, 38, 48)");
    assert.equal(style.bg, "rgb(255, 255, 255)");
    assert.equal(style.spacing, "normal");
  }
  const button = hosts.nth(2).locator("button");
  assert.ok(await button.isVisible(), "the page's `button { display: none }` reached the widget");
  assert.equal(await button.evaluate((b) => getComputedStyle(b).color), "rgb(255, 255, 255)");
  // And the widget's CSS does not leak out: the page's own .vg-name stays as the page styles it.
  assert.equal(await page.locator("body > div.vg-name").evaluate((e) => getComputedStyle(e).fontWeight), "400");
  assert.equal(await page.locator("h1").evaluate((e) => getComputedStyle(e).fontSize), "31px");

  await h.screenshot(page, "widget-hostile-host");

  // The refer widget sends a referral in Anna's name, attributed to the partner.
  const refer = hosts.nth(2);
  await refer.getByLabel("Your friend's email").fill(`friend.${Date.now()}@example.com`);
  await refer.getByLabel("A note (optional)").fill("They redid our bathroom beautifully.");
  await button.click();
  await refer.locator(".vg-status", { hasText: /Referral sent/ }).waitFor();
  await h.screenshot(page, "widget-hostile-host-referred");
  const today = new Date().toISOString().slice(0, 10);
  const stats = await api("GET", `/v1/partners/${partner.id}/analytics?from=${today}&to=${today}`, { token: session.token });
  assert.equal(stats.days[0].referrals, 1);
  assert.ok(stats.days[0].widget_views >= 4, JSON.stringify(stats));

  // The ask widget asks Anna's circle, in her name, from the partner's page.
  const ask = hosts.nth(3);
  assert.equal(await ask.getByLabel("Who do you need?").inputValue(), "tiler");
  await ask.getByLabel("What is the job?").fill("Kitchen splashback, about two square metres.");
  await ask.getByRole("button", { name: "Ask" }).click();
  await ask.locator(".vg-status", { hasText: /^Asked/ }).waitFor();
  await h.screenshot(page, "widget-hostile-host-asked");
  const mine = await api("GET", "/v1/requests?role=mine", { token: anna.token });
  assert.ok(mine.requests.some((r) => r.note === "Kitchen splashback, about two square metres."), JSON.stringify(mine));
  assert.deepEqual(errors, []);
});
