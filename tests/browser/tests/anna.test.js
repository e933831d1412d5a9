// The demo's story: Anna trusts Matt completely, Matt recommends Rossi Tiling, so Rossi Tiling
// comes first when Anna searches for a tiler near her home, with Matt on the path; and it says
// how quickly each tiler gets in touch.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const h = require("./helpers");

let browser;
before(async () => { browser = await h.launch(); });
after(async () => { await browser?.close(); });

test("Anna sees Rossi Tiling first, with Matt Hughes on its trust path", h.SLOW, async () => {
  const page = await h.newPage(browser);
  await h.logIn(page, h.DEMO.anna);
  await page.goto("/search?trade=tiler");
  // With no place given, the search is near Anna's home.
  await page.getByRole("heading", { name: /Tiler: \d+ results? near your home/ }).waitFor();

  const names = await h.resultNames(page);
  assert.equal(names[0], "Rossi Tiling", `results: ${names.join(", ")}`);
  const first = page.locator("ol.results li.result").first();
  const svg = first.locator("svg.trust-paths");
  assert.match(await svg.locator("title").first().textContent(), /you → Matt Hughes → recommends Rossi Tiling/);
  assert.ok(
    (await svg.locator("text.tp-name").allTextContents()).includes("Matt Hughes"),
    "the diagram names Matt Hughes",
  );
  // Anna trusts Matt completely: the heaviest line.
  assert.equal(await svg.locator("g.tp-trust line").first().getAttribute("stroke-width"), "5");
  assert.match(await first.locator(".paths").textContent(), /you → Matt Hughes → recommends Rossi Tiling/);

  // How quickly each gets in touch, from their referrals: Mario the same day; the slow tiler a
  // neighbour of Anna's recommends, only after weeks (it still comes below Rossi Tiling).
  assert.match(await first.locator("[data-responsiveness]").textContent(), /Rossi Tiling usually gets in touch within a day/);
  assert.ok(names.indexOf("Hale Tile Co.") > 0, `results: ${names.join(", ")}`);
  const slow = page.locator("ol.results li.result", { hasText: "Hale Tile Co." }).first();
  assert.match(await slow.locator("[data-responsiveness]").textContent(), /Hale Tile Co\. is often slow to get in touch/);

  await h.checkA11y(page, "Anna's tiler search");
  await h.screenshot(page, "anna-search");

  // The same search near a place typed by name: the same order, and where each tiler is.
  await page.getByLabel("Where").fill("Redland, Bristol");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("heading", { name: /Tiler: \d+ results? near Redland, Bristol/ }).waitFor();
  assert.equal((await h.resultNames(page))[0], "Rossi Tiling");
  assert.match(await page.locator("ol.results li.result p.where").first().textContent(), /^\d+(\.\d)? km, \S/);
  if (process.env.UPDATE_DOCS_SCREENSHOT) {
    // The README's picture: the top of the page, as a visitor first sees it.
    await page.screenshot({ path: path.join(__dirname, "..", "..", "..", "docs", "screenshot-search.png") });
  }
});

test("the search page fits a phone's screen", h.SLOW, async () => {
  const page = await h.newPage(browser, { width: 390, height: 844 });
  await h.logIn(page, h.DEMO.anna);
  await page.goto("/search?trade=tiler");
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page scrolls sideways: ${width}px wide`);
  await h.checkA11y(page, "the search page on a phone");
  await h.screenshot(page, "anna-search-phone");
  if (process.env.UPDATE_DOCS_SCREENSHOT) {
    // The README's phone picture: the first screen, as Anna sees it on a 390 x 844 phone.
    await page.screenshot({ path: path.join(__dirname, "..", "..", "..", "docs", "screenshot-search-phone.png") });
  }
});

test("Anna's network map shows the people she trusts and the providers they vouch for", h.SLOW, async () => {
  const page = await h.newPage(browser);
  await h.logIn(page, h.DEMO.anna);
  await page.goto("/network");
  const map = page.locator("svg.network-map");
  await map.waitFor();
  const labels = await map.locator("text").allTextContents();
  assert.ok(labels.includes("Matt Hughes"), "Matt is on the inner ring");
  assert.ok(labels.some((l) => l.startsWith("Rossi Tiling")), "Rossi Tiling is on the map");
  await h.checkA11y(page, "Anna's network");
  await h.screenshot(page, "anna-network");
});
