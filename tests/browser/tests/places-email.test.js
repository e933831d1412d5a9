// Places and email as a newcomer meets them: sign up typing "Redland" (picked from the
// suggestions), confirm the address through the link in the email the server really sent
// (caught by `vouchgraph mail-catcher` into VOUCHGRAPH_MAIL_DIR), then search for a tiler near
// "BS6" and see how far away each one is, and where.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const h = require("./helpers");

let browser;
before(async () => { browser = await h.launch(); });
after(async () => { await browser?.close(); });

test("a newcomer types Redland, confirms by email, and sees tilers near BS6 with distances", h.SLOW, async () => {
  const page = await h.newPage(browser);
  const who = h.fresh("Rhea");
  await page.goto("/signup");
  await page.getByLabel("Your name").fill(who.name);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  // Typing a place offers suggestions from GET /v1/places.
  const home = page.getByLabel(/Where you live/);
  await home.pressSequentially("Redla", { delay: 30 });
  await page.locator("#home-places option[value='Redland, Bristol']").waitFor({ state: "attached" });
  await home.fill("Redland");
  await h.checkA11y(page, "the sign-up form with a place");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(/\/circle/);

  // The confirmation email arrived: plain text and HTML, with a one-time link.
  const mail = await h.waitForEmail(who.email, "Confirm your email address");
  assert.match(mail, /multipart\/alternative/);
  await page.goto(h.linkIn(mail, "/verify-email"));
  await page.getByRole("button", { name: "Confirm my address" }).click();
  await page.getByRole("heading", { name: "Address confirmed" }).waitFor();
  await h.checkA11y(page, "the address confirmed page");
  const me = await page.evaluate(async () => (await fetch("/v1/me")).json());
  assert.equal(me.email_verified, true);
  // The home typed as "Redland" is Redland's centre.
  assert.ok(Math.abs(me.lat - 51.4747) < 0.01 && Math.abs(me.lon + 2.6011) < 0.01, JSON.stringify(me));

  // Search for a tiler near BS6, by typing it.
  await page.goto("/search?trade=tiler");
  await page.getByLabel("Where").fill("BS6");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("heading", { name: /Tiler: \d+ results? near BS6/ }).waitFor();
  const where = await page.locator("ol.results li.result p.where").allTextContents();
  assert.ok(where.length > 0, "results say where each provider is");
  for (const w of where) assert.match(w, /^\d+(\.\d)? km, \S/, `"${w}" reads like "2.1 km, Redland"`);
  await h.checkA11y(page, "search results near BS6");
  await h.screenshot(page, "search-near-bs6");

  // A place that could be several asks which, on the page.
  await page.getByLabel("Where").fill("Clifton");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("alert").filter({ hasText: /several places called/ }).waitFor();
  await page.getByRole("link", { name: "Clifton, Bristol" }).click();
  await page.getByRole("heading", { name: /near Clifton, Bristol/ }).waitFor();
});
