// Ben's story, the cold start: Anna invites a newcomer from her circle page; the email the
// server really sent (caught into VOUCHGRAPH_MAIL_DIR) carries a /join link; the newcomer signs
// up through it, is guided from "nobody yet" to a circle of three by trusting Anna back and
// picking people he may know, and his tiler search then follows Anna to Matt and Rossi Tiling
// instead of public reputation.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const h = require("./helpers");

let browser;
before(async () => { browser = await h.launch(); });
after(async () => { await browser?.close(); });

test("a newcomer joins from Anna's invitation and builds a circle of three in a few clicks", h.SLOW, async () => {
  const newcomer = h.fresh("Ben");

  // Anna invites him by email, with a note.
  const anna = await h.newPage(browser);
  await h.logIn(anna, h.DEMO.anna);
  await anna.goto("/circle");
  await anna.getByLabel("Their email address").fill(newcomer.email);
  await anna.getByLabel("A note (optional)").fill("This is how I found Mario for our bathroom.");
  await anna.getByRole("button", { name: "Send the invitation" }).click();
  await anna.waitForURL(/done=invited/);
  await anna.locator("li.sent-invitation", { hasText: newcomer.email }).waitFor();

  const mail = await h.waitForEmail(newcomer.email, "Anna Berg invites you");
  assert.match(mail, /This is how I found Mario/);
  const started = Date.now();

  // The newcomer follows the link and signs up; the invitation comes with him.
  const page = await h.newPage(browser);
  await page.goto(h.linkIn(mail, "/join"));
  await page.waitForURL(/\/signup\?circle=/);
  await page.locator("#circle-hint").waitFor();
  await page.getByLabel("Your name").fill(newcomer.name);
  await page.getByLabel("Email").fill(newcomer.email);
  await page.getByLabel("Password").fill(newcomer.password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(/\/circle/);

  // Nobody yet: the guide says so, and what his results are until then.
  const guide = page.locator("#first-run");
  assert.match(await guide.textContent(), /Start your circle: 0 of 3/);
  assert.match(await guide.textContent(), /public reputation/);
  await h.checkA11y(page, "the first-run circle page");
  await h.screenshot(page, "first-run");

  // One click trusts Anna back.
  await page.getByRole("button", { name: "Trust Anna Berg back" }).click();
  await page.waitForURL(/done=trusted/);
  assert.match(await page.locator("#first-run").textContent(), /1 of 3/);

  // People he may know now include those who trust Anna too; he trusts two of them.
  const suggestions = page.locator("ul[aria-label='People you may know'] li.suggestion");
  await suggestions.first().waitFor();
  assert.match(await suggestions.first().textContent(), /also trusts Anna Berg|trusts you/);
  for (let i = 0; i < 2; i += 1) {
    await page.locator("ul[aria-label='People you may know'] li.suggestion")
      .first().getByRole("button", { name: /^Trust / }).click();
    await page.waitForURL(/done=trusted/);
  }
  assert.equal(await page.locator("#first-run").count(), 0, "a circle of three: the guide steps aside");
  const seconds = (Date.now() - started) / 1000;
  assert.ok(seconds < 60, `from the email to a circle of three took ${seconds} s`);

  // His search for a tiler near Anna now follows her: Rossi Tiling, through Anna and Matt.
  await page.goto("/search?trade=tiler&near=Redland%2C%20Bristol");
  assert.equal(await page.locator("#no-circle").count(), 0);
  const names = await h.resultNames(page);
  assert.equal(names[0], "Rossi Tiling", `ranked: ${names.join(", ")}`);
  const first = page.locator("ol.results li.result").first();
  assert.match(await first.textContent(), /Anna Berg/);
  await h.screenshot(page, "newcomer-search");
});
