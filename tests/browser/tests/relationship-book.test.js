// The relationship book: Mario's dashboard asks for the calls customers have waited over two
// working days for, one button marks such a customer contacted, the book of customers follows
// (its filters and its CSV), the customer sees the mark, and seekers read how quickly Rossi
// Tiling gets in touch.
//
// The demo town has several customers waiting for Mario's call; this file calls one of them
// (the longest waiting), so a later run against the same database still finds others. Calling
// changes only the funnel's "contacted" count: the sent and accepted counts that
// vouch-refer.test.js compares count a referral at the furthest step it reached.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const h = require("./helpers");

/** The password of every generated demo resident (README.md). */
const RESIDENT_PASSWORD = "bristol-demo-2026";

/** Which statuses each of the book's filters keeps (src/store/customer_book.rs). */
const FILTERS = [
  { label: "Waiting", value: "waiting", statuses: /^(sent|accepted)$/ },
  { label: "In progress", value: "in_progress", statuses: /^(contacted|hired)$/ },
  { label: "Done", value: "done", statuses: /^(completed|declined|expired)(, went (well|badly))?$/ },
  { label: "Went well", value: "went_well", statuses: /^completed, went well$/ },
  { label: "Everyone", value: "all", statuses: /^(sent|accepted|contacted|hired|completed|declined|expired)(, went (well|badly))?$/ },
];

let browser;
before(async () => { browser = await h.launch(); });
after(async () => { await browser?.close(); });

/** The customer Mario called in the first test, for the second: name, referral and person. */
let called;

/** The rows of the "Your customers" table that `page` shows, by column heading. */
async function book(page) {
  return page.locator("#customers").evaluate((section) => {
    const table = section.querySelector("table");
    if (!table) return [];
    const headings = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    return [...table.querySelectorAll("tbody tr")].map((tr) => {
      const row = {};
      [...tr.children].forEach((cell, i) => { row[headings[i]] = cell.textContent.trim(); });
      return row;
    });
  });
}

/** A CSV text as rows of fields (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 1; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i += 1;
      row.push(field); rows.push(row); row = []; field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

/**
 * A generated demo resident's email: firstname.lastname.N@demo.vouchgraph.test, N their place
 * in the town (src/demo/people.rs). The demo is seeded into an empty database, its story
 * accounts first, so N is the person's id less one. `null` for a name that is not "First Last".
 */
function residentEmail(name, personId) {
  const parts = name.split(" ");
  if (parts.length !== 2) return null;
  const part = (s) => s.replace(/[^A-Za-z]/g, "").toLowerCase();
  return `${part(parts[0])}.${part(parts[1])}.${personId - 1}@demo.vouchgraph.test`;
}

test("Mario calls a customer who waited over two working days, and his book and its CSV show it", h.SLOW, async () => {
  const page = await h.newPage(browser);
  await h.logIn(page, h.DEMO.mario);
  await page.getByRole("link", { name: "Dashboard" }).click();
  await page.waitForURL(/\/providers\/\d+\/dashboard$/);
  await page.getByRole("heading", { level: 1, name: "Rossi Tiling" }).waitFor();
  const dashboard = new URL(page.url()).pathname;
  const providerId = dashboard.match(/\/providers\/(\d+)\//)[1];

  // The customers waiting for his call, longest first, each with a button.
  const followUps = page.locator("section.follow-ups");
  await followUps.getByRole("heading", { level: 2, name: "Waiting for your call" }).waitFor();
  const items = followUps.locator("li.follow-up");
  const waiting = await items.count();
  assert.ok(waiting >= 1, "the demo has a customer waiting for Mario's call");
  const item = items.first();
  const referral = await item.getAttribute("data-referral");
  const name = (await item.locator("strong").textContent()).trim();
  assert.match(referral, /^\d+$/);
  assert.match(await item.textContent(), /accepted \d{1,2} \w{3} \d{4}, call due \d{1,2} \w{3} \d{4}/);
  await h.checkA11y(page, "the dashboard with follow-ups");
  await h.screenshot(page, "book-follow-ups");

  // Who the customer is, for the second test: the owner's API names them.
  const owed = await (await page.request.get(`/v1/providers/${providerId}/follow-ups`)).json();
  const person = owed.find((f) => String(f.referral_id) === referral);
  assert.ok(person, `the follow-ups API lists referral ${referral}`);

  // One button marks them contacted; the referral shows so on Mario's referrals page.
  await item.getByRole("button", { name: `I have contacted ${name}` }).click();
  await page.waitForURL(/\/referrals\?done=moved/);
  assert.equal((await page.locator(`#business #r${referral} .status`).textContent()).trim(), "contacted");
  called = { name, referral, personId: person.customer_id };

  // Back on the dashboard, the customer no longer waits for a call.
  await page.getByRole("link", { name: "Dashboard" }).click();
  await page.waitForURL(/\/providers\/\d+\/dashboard$/);
  await page.locator("#customers").waitFor();
  assert.equal(await page.locator(`li.follow-up[data-referral="${referral}"]`).count(), 0,
    `${name} still waits for a call`);
  assert.equal(await page.locator("li.follow-up").count(), waiting - 1);

  // The book: each filter keeps its statuses; the customer moved from Waiting to In progress.
  const customers = page.locator("#customers");
  await customers.getByRole("heading", { level: 2, name: "Your customers" }).waitFor();
  const everyone = await book(page);
  assert.ok(everyone.length >= 1, "the book lists Mario's customers");
  assert.ok(everyone.some((r) => r.Customer === name && r.Status === "contacted"),
    `${name} is not listed as contacted: ${JSON.stringify(everyone)}`);
  const nav = customers.getByRole("navigation", { name: "Show customers" });
  for (const filter of FILTERS) {
    await nav.getByRole("link", { name: filter.label, exact: true }).click();
    await page.waitForURL(new RegExp(`[?&]book=${filter.value}`));
    assert.equal((await nav.locator("[aria-current='true']").textContent()).trim(), filter.label);
    const rows = await book(page);
    const misfiled = rows.filter((r) => !filter.statuses.test(r.Status));
    assert.deepEqual(misfiled, [], `the ${filter.label} view lists customers it should not`);
    const listed = rows.some((r) => r.Customer === name);
    if (filter.value === "waiting") assert.ok(!listed, `${name} is still listed as waiting`);
    if (filter.value === "in_progress") {
      assert.ok(listed, `the In progress view lacks ${name}: ${JSON.stringify(rows)}`);
      await h.screenshot(page, "book-in-progress");
    }
    if (filter.value === "all") assert.ok(listed, `the Everyone view lacks ${name}`);
  }
  await h.checkA11y(page, "the dashboard's book");

  // A private note about the customer, kept with the book (and in its CSV).
  const NOTE = "Wants the grey grout; call after 6.";
  await customers.getByLabel(`Your private note about ${name}`).fill(NOTE);
  await customers.getByRole("row").filter({ hasText: name }).getByRole("button", { name: "Save note" }).click();
  await page.waitForURL(/done=saved/);
  assert.equal(await page.locator("#customers").getByLabel(`Your private note about ${name}`).inputValue(), NOTE);

  // The CSV of everyone: a header, the customers, the one called marked contacted.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    customers.getByRole("link", { name: "Download as CSV" }).click(),
  ]);
  const file = path.join(h.ARTIFACTS, "customers.csv");
  fs.mkdirSync(h.ARTIFACTS, { recursive: true });
  await download.saveAs(file);
  const text = fs.readFileSync(file, "utf8");
  assert.ok(text.startsWith("customer,referred_by,referrals,status"), `the CSV begins: ${text.slice(0, 80)}`);
  const [header, ...rows] = parseCsv(text).filter((r) => r.some((cell) => cell !== ""));
  assert.ok(rows.length >= 1, "the CSV has a customer");
  const column = (label) => header.indexOf(label);
  const line = rows.find((r) => r[column("customer")] === name && r[column("status")] === "contacted");
  assert.ok(line, `the CSV lacks ${name} as contacted`);
  assert.match(line[column("contacted_at")], /^\d{4}-\d\d-\d\dT/);
  assert.equal(line[column("note")], NOTE);
});

test("the customer Mario called sees the referral marked contacted, and may say no one called", h.SLOW, async (t) => {
  if (!called) {
    t.skip("no customer was called");
    return;
  }
  // The demo's residents are accounts with a shared password; only one whose email follows
  // from their name and id can sign in here.
  const email = residentEmail(called.name, called.personId);
  const check = email && await fetch(`${h.BASE}/v1/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: RESIDENT_PASSWORD }),
  });
  if (!check || !check.ok) {
    t.skip(`${called.name} is not a demo resident who can sign in`);
    return;
  }
  const page = await h.newPage(browser);
  await h.logIn(page, { email, password: RESIDENT_PASSWORD });

  await page.goto("/referrals");
  const card = page.locator(`#received #r${called.referral}`);
  await card.waitFor();
  assert.match(await card.locator("h3").textContent(), /Rossi Tiling/);
  assert.equal((await card.locator(".status").textContent()).trim(), "contacted");
  // If the call never came, the customer can say so (the button is not pressed here).
  await card.getByRole("button", { name: "Rossi Tiling has not been in touch" }).waitFor();
  await h.checkA11y(page, "the customer's referrals");
  await h.screenshot(page, "book-customer-referral");

  await page.goto("/inbox");
  assert.match(await page.locator("ul.inbox").textContent(), /Rossi Tiling got in touch about .*'s referral\./);
});

test("Rossi Tiling's public page says how quickly it gets in touch", h.SLOW, async () => {
  const page = await h.newPage(browser);
  await page.goto("/search?trade=tiler");
  await page.locator("ol.results li.result h3 a", { hasText: "Rossi Tiling" }).first().click();
  await page.getByRole("heading", { level: 1, name: "Rossi Tiling" }).waitFor();
  const facts = page.locator("dl.facts");
  assert.ok((await facts.locator("dt").allTextContents()).includes("Gets in touch"),
    "the demo gives Rossi Tiling enough accepted referrals to say");
  assert.match(
    await facts.locator("dd[data-responsiveness]").textContent(),
    /gets? in touch.*: half of the customers who accepted a referral in the last 90 days heard within \d+ (hours|days)/,
  );
  await h.screenshot(page, "book-provider-responsiveness");
});
