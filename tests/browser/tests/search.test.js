// A newcomer trusts one person they know, and the search changes: the tiler that person
// recommends rises to the top, with the path drawn.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const h = require("./helpers");

let browser;
before(async () => { browser = await h.launch(); });
after(async () => { await browser?.close(); });

test("trusting Matt Hughes at level 3 lifts Rossi Tiling to the top, with the path drawn", h.SLOW, async () => {
  const page = await h.newPage(browser);
  await h.signUp(page, h.fresh("Sam"));
  await h.checkA11y(page, "the circle page after sign-up");

  await page.goto("/search?trade=tiler");
  const before = await h.resultNames(page);
  const rankBefore = before.indexOf("Rossi Tiling");
  assert.notEqual(rankBefore, 0, `Rossi Tiling already led before trusting anyone: ${before.join(", ")}`);
  await h.checkA11y(page, "the search page");

  await h.trust(page, "Matt Hughes", 3, "public");
  const circle = page.locator("ul[aria-label='People you trust']");
  assert.match(await circle.textContent(), /Matt Hughes/);
  await h.checkA11y(page, "the circle page with search results");

  await page.goto("/search?trade=tiler");
  const after = await h.resultNames(page);
  assert.equal(after[0], "Rossi Tiling", `results after trusting Matt: ${after.join(", ")}`);
  const card = page.locator("ol.results li.result").first();
  const svg = card.locator("svg.trust-paths");
  await svg.waitFor();
  assert.ok((await svg.locator("text").allTextContents()).includes("Matt Hughes"), "the path names Matt");
  assert.equal(await svg.locator("g.tp-trust line").first().getAttribute("stroke-width"), "5");
  assert.match(await card.textContent(), /you → Matt Hughes → recommends Rossi Tiling/);
  await h.screenshot(page, "search-after-trusting-matt");

  // From the keyboard, the first result is three key presses away: the second skip link
  // jumps to the results, and the next Tab is the first provider's link.
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Skip to the results");
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Rossi Tiling");
});
