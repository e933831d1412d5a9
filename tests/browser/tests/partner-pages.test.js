// The partner pages: a new account creates a partner for a local test site, issues a
// publishable key (shown once), makes the widget snippet in the configurator, pastes it into a
// page served from that site, and the widget renders there. Then the key list, rotation,
// webhook endpoints, and the 403 page for anyone else. axe-core passes on every partner page.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const http = require("node:http");
const h = require("./helpers");

let browser;
let server;
before(async () => { browser = await h.launch(); });
after(async () => {
  await browser?.close();
  server?.close();
});

test("Partner: create a key, copy the snippet into a local test page, and see the widget render", h.SLOW, async () => {
  // The partner's site: another origin than vouchgraph's, serving whatever page we give it.
  let html = "<!doctype html><title>empty</title>";
  server = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(html);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;

  const page = await h.newPage(browser);
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await h.signUp(page, h.fresh("Petra"));

  // The partners page, reached from the main navigation.
  await page.getByRole("link", { name: "Partners" }).click();
  await page.getByRole("heading", { level: 1, name: "Partners" }).waitFor();
  await h.checkA11y(page, "the partners page");
  // A bad origin is refused next to its field, keeping what was typed.
  await page.getByLabel("Name", { exact: true }).fill("Petra's Home Store");
  await page.getByLabel("Allowed origins").fill("https://shop.example/widgets");
  await page.getByRole("button", { name: "Create partner" }).click();
  await page.locator("#partner-origins-error").waitFor();
  assert.equal(await page.getByLabel("Allowed origins").getAttribute("aria-invalid"), "true");
  assert.equal(await page.getByLabel("Name", { exact: true }).inputValue(), "Petra's Home Store");
  await h.checkA11y(page, "the partners page with an error");
  await page.getByLabel("Allowed origins").fill(`${origin}/\nhttps://shop.example`);
  await page.getByRole("button", { name: "Create partner" }).click();
  await page.waitForURL(/\/partners\/\d+\?done=partner-created/);
  const partnerPath = new URL(page.url()).pathname;
  await page.getByRole("heading", { level: 1, name: "Petra's Home Store" }).waitFor();
  assert.equal(await page.getByLabel("Origins, one per line").inputValue(), `${origin}\nhttps://shop.example`);

  // A publishable key, shown once in the highlighted box.
  await page.getByLabel("Kind of key").selectOption("publishable");
  await page.getByRole("button", { name: "Create key" }).click();
  const keyField = page.locator("#new-key");
  await keyField.waitFor();
  const key = await keyField.inputValue();
  assert.match(key, /^pk_live_[0-9a-f]{60}$/);
  const rows = page.locator("table.keys tbody tr");
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().textContent(), new RegExp(`${key.slice(0, 20)}[\\s\\S]*publishable[\\s\\S]*Never[\\s\\S]*Active`));
  await h.checkA11y(page, "a partner with a new key");
  await h.screenshot(page, "partner-new-key");
  // Reloading the partner page never shows the key again.
  await page.goto(partnerPath);
  assert.equal(await page.locator("#new-key").count(), 0);
  assert.equal((await page.content()).includes(key), false, "the key is shown once only");

  // The configurator, with that key: a badge for Rossi Tiling.
  const search = await (await fetch(`${h.BASE}/v1/search?trade=tiler&limit=50`)).json();
  const rossi = search.results.find((r) => r.name === "Rossi Tiling");
  assert.ok(rossi, "the demo town has Rossi Tiling");
  await page.goto(`${partnerPath}/widget`);
  await page.getByRole("heading", { level: 1, name: "Widget configurator" }).waitFor();
  await page.getByLabel("Publishable key").fill(key);
  await page.getByRole("radio", { name: /Badge:/ }).check();
  // Typed by name, as a partner knows it: the one provider so called is taken.
  await page.getByLabel(/^Provider/).fill("Rossi Tiling");
  await page.getByLabel(/^Trade/).selectOption("tiler");
  await page.getByRole("button", { name: "Make the snippet" }).click();
  const snippetField = page.getByRole("textbox", { name: "Snippet" });
  await snippetField.waitFor();
  const snippet = await snippetField.inputValue();
  assert.equal(
    snippet,
    `<script src="${h.BASE}/widget.js" data-vouchgraph-key="${key}" data-widget="badge" data-provider="${rossi.provider_id}" data-trade="tiler"></script>`,
  );
  assert.equal(await snippetField.getAttribute("readonly"), "");
  await page.getByRole("button", { name: "Copy snippet" }).waitFor();
  // The live preview: the real widget.js in a frame of our own origin, calling the real API
  // with the publishable key, before the partner's site exists.
  const preview = page.frameLocator("iframe.widget-preview");
  await preview.locator("vouchgraph-widget .vg-badge .vg-name").waitFor();
  assert.equal(await preview.locator("vouchgraph-widget .vg-name").textContent(), "Rossi Tiling");
  assert.match(await preview.locator("vouchgraph-widget .vg-counts").textContent(), /recommend/);
  await h.checkA11y(page, "the widget configurator");
  await h.screenshot(page, "partner-widget-configurator");

  // A secret key is refused in the configurator: it must never go in a page.
  await page.goto(`${partnerPath}/widget?key=sk_live_${"0".repeat(60)}&widget=badge&provider=1`);
  await page.getByRole("alert").filter({ hasText: /secret key/ }).waitFor();
  assert.equal(await page.locator("#snippet").count(), 0);

  // The snippet, pasted into a page of the partner's site, renders the badge.
  html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Petra's Home Store</title></head>
<body><h1>Our recommended tiler</h1>${snippet}</body></html>`;
  const site = await h.newPage(browser);
  site.on("pageerror", (e) => errors.push(e.message));
  await site.goto(`${origin}/`);
  const widget = site.locator("vouchgraph-widget");
  await widget.locator(".vg-badge .vg-name").waitFor();
  assert.equal(await widget.locator(".vg-name").textContent(), "Rossi Tiling");
  assert.match(await widget.locator(".vg-counts").textContent(), /recommend/);
  assert.equal(await site.locator("vouchgraph-widget").evaluate((e) => e.shadowRoot !== null), true);
  await h.screenshot(site, "partner-snippet-on-local-site");

  // The key list now says it was used; rotating it shows the new key once, the old one
  // keeps working through its grace period.
  await page.goto(partnerPath);
  assert.doesNotMatch(await page.locator("table.keys tbody tr").first().textContent(), /Never/);
  await page.getByLabel(/^Grace period for/).selectOption("3600");
  await page.getByRole("button", { name: /^Rotate / }).click();
  const rotated = await page.locator("#new-key").inputValue();
  assert.match(rotated, /^pk_live_/);
  assert.notEqual(rotated, key);
  assert.match(await page.locator("table.keys tbody tr").nth(1).textContent(), /Rotated: works until/);
  // Revoking the old key stops it at once.
  await page.getByRole("button", { name: `Revoke ${key.slice(0, 20)}` }).click();
  await page.waitForURL(/done=key-revoked/);
  assert.match(await page.locator("table.keys tbody tr").nth(1).textContent(), /Revoked/);
  await h.checkA11y(page, "the keys after a rotation and a revocation");

  // Webhooks: an endpoint, its secret shown once; the log is empty for now.
  await page.getByRole("link", { name: "Webhooks" }).click();
  await page.getByRole("heading", { level: 1, name: "Webhooks" }).waitFor();
  await page.getByLabel("URL").fill("https://hooks.example/vouchgraph");
  await page.getByLabel("referral.created").check();
  await page.getByLabel("vouch.created").check();
  await page.getByRole("button", { name: "Add endpoint" }).click();
  const secret = await page.locator("#new-secret").inputValue();
  assert.match(secret, /^whsec_/);
  await page.getByRole("heading", { level: 3, name: "https://hooks.example/vouchgraph" }).waitFor();
  await h.checkA11y(page, "the webhooks page");
  await h.screenshot(page, "partner-webhooks");
  await page.goto(`${partnerPath}/webhooks`);
  assert.equal(await page.locator("#new-secret").count(), 0);

  // Anyone else gets a 403 page; a signed-out visitor goes to the login page.
  const other = await h.newPage(browser);
  await h.signUp(other, h.fresh("Oscar"));
  for (const path of [partnerPath, `${partnerPath}/widget`, `${partnerPath}/webhooks`]) {
    const response = await other.goto(path);
    assert.equal(response.status(), 403, path);
  }
  await h.checkA11y(other, "the 403 page");
  const anonymous = await h.newPage(browser);
  await anonymous.goto(partnerPath);
  assert.match(anonymous.url(), /\/login\?next=/);

  assert.deepEqual(errors, []);
});
