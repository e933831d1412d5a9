// Privacy: what one account keeps private never shows on another account's pages: not its
// private vouch, not its private trust edges.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const h = require("./helpers");

let browser;
before(async () => { browser = await h.launch(); });
after(async () => { await browser?.close(); });

test("a private vouch and a private trust edge appear on no one else's pages", h.SLOW, async () => {
  // Pat trusts Matt Hughes privately and vouches for Rossi Tiling privately.
  const pat = h.fresh("Pat");
  const patPage = await h.newPage(browser);
  await h.signUp(patPage, pat);
  await h.trust(patPage, "Matt Hughes", 3, "private");
  const secret = `Private note ${Date.now().toString(36)}: cash only, no receipt.`;
  await patPage.goto("/search?trade=tiler");
  await patPage.locator("ol.results li.result h3 a", { hasText: "Rossi Tiling" }).first().click();
  const providerUrl = patPage.url().replace(/[?#].*$/, "");
  const vouchForm = patPage.locator("#vouch");
  await vouchForm.getByLabel("I recommend them").check();
  await vouchForm.getByLabel(/What happened/).fill(secret);
  await vouchForm.getByLabel("Who may see it").selectOption("private");
  await vouchForm.getByRole("button", { name: "Save my vouch" }).click();
  await patPage.waitForURL(/done=vouched/);
  // Pat sees their own private vouch, marked as theirs.
  assert.match(await patPage.locator("#vouches").textContent(), new RegExp(secret.slice(0, 20)));
  assert.match(await patPage.locator("#vouches").textContent(), /yours · private/);
  // Pat's own map shows their own private edge to Matt.
  await patPage.goto("/network");
  assert.match(await patPage.locator("main").textContent(), /Matt Hughes/);

  // Quinn trusts Pat publicly, so Pat is in Quinn's circle.
  const quinn = h.fresh("Quinn");
  const page = await h.newPage(browser);
  await h.signUp(page, quinn);
  await h.trust(page, pat.name, 3, "public");

  // Not on the provider page...
  await page.goto(providerUrl);
  const vouches = await page.locator("#vouches").textContent();
  assert.doesNotMatch(vouches, new RegExp(secret.slice(0, 20)), "the private note shows to Quinn");
  assert.ok(!vouches.includes(pat.name), "Pat's private vouch shows to Quinn");
  assert.ok(!(await page.content()).includes(secret.slice(0, 20)));
  await h.checkA11y(page, "the provider page as another account");

  // ...not in Quinn's network: Pat is there, but neither Pat's private edge to Matt nor the
  // provider Pat vouched for privately...
  await page.goto("/network");
  const network = await page.locator("main").textContent();
  assert.ok(network.includes(pat.name), "Pat is in Quinn's network");
  assert.ok(!network.includes("Matt Hughes"), "Pat's private edge to Matt shows to Quinn");
  assert.ok(!network.includes("Rossi Tiling"), "Pat's private vouch shows on Quinn's map");
  await h.checkA11y(page, "the network page");
  await h.screenshot(page, "privacy-network");

  // ...and not in Quinn's search: no path runs through Pat.
  await page.goto("/search?trade=tiler");
  assert.ok(!(await page.locator("main").textContent()).includes(pat.name), "a path through Pat shows");

  // Anonymous visitors do not see it either.
  const anonymous = await h.newPage(browser);
  await anonymous.goto(providerUrl);
  assert.ok(!(await anonymous.content()).includes(secret.slice(0, 20)));
  await h.screenshot(anonymous, "privacy-provider-anonymous");
});
