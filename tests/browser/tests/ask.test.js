// Asking one's circle, as in life: Anna asks for a tiler, Matt answers from his inbox with one
// click (he already recommends Rossi Tiling), and Anna sees his answer ranked with its trust
// path, refers Mario to a friend from the provider's page, and marks the request solved,
// saying Matt helped.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const h = require("./helpers");

let browser;
before(async () => { browser = await h.launch(); });
after(async () => { await browser?.close(); });

test("Anna asks for a tiler, Matt suggests Rossi Tiling, Anna closes it as solved", h.SLOW, async () => {
  const anna = await h.newPage(browser);
  await h.logIn(anna, h.DEMO.anna);
  await anna.goto("/requests");
  await anna.getByLabel("Trade").selectOption({ label: "Tiler" });
  await anna.getByLabel(/What is the job/).fill("Bathroom re-tile, small flat");
  await h.checkA11y(anna, "the ask page");
  await anna.getByRole("button", { name: "Ask", exact: true }).click();
  await anna.waitForURL(/\/requests\/\d+\?done=request-asked/);
  const url = anna.url();
  const id = url.match(/\/requests\/(\d+)/)[1];
  assert.match(await anna.locator("dl.facts").textContent(), /Sent to\s*\d+ (person|people)/);

  // Matt finds it, named: Anna trusts him.
  const matt = await h.newPage(browser);
  await h.logIn(matt, h.DEMO.matt);
  await matt.goto("/requests");
  const card = matt.locator("li.card").filter({ has: matt.locator(`a[href='/requests/${id}']`) });
  assert.match(await card.textContent(), /Anna Berg asks for a tiler/);
  await h.checkA11y(matt, "the requests asked of Matt");
  await card.getByRole("button", { name: "Suggest Rossi Tiling" }).click();
  await matt.waitForURL(/done=answered/);

  // Anna sees the answer, ranked, with the path through Matt.
  await anna.goto(`/requests/${id}`);
  const first = anna.locator("ol.results li.result").first();
  assert.match(await first.textContent(), /Matt Hughes \(you trust them completely\) suggests Rossi Tiling/);
  await first.locator("svg.trust-paths").waitFor();
  await h.checkA11y(anna, "Anna's request with an answer");
  await h.screenshot(anna, "request-answered");
  await first.getByRole("link", { name: /See Rossi Tiling and refer/ }).click();
  await anna.waitForURL(/\/providers\/\d+/);
  const friend = h.fresh("Friend");
  const referForm = anna.locator("#refer");
  await referForm.getByLabel(/Their email/).fill(friend.email);
  await referForm.getByLabel(/A note/).fill("Matt says Mario is the one for bathrooms.");
  await referForm.getByRole("button", { name: "Send referral" }).click();
  // An email address gets an invitation: the referral is on its way.
  await anna.getByRole("heading", { level: 1, name: "Invitation ready" }).waitFor();

  // Back to the request: solved, and Matt helped.
  await anna.goto(`/requests/${id}`);
  await anna.getByRole("checkbox", { name: "Matt Hughes" }).check();
  await anna.getByRole("button", { name: "Close" }).click();
  await anna.waitForURL(/done=request-closed/);
  assert.match(await anna.locator("dl.facts").textContent(), /closed: solved/);
});
