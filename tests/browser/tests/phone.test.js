// The web app on a phone (390 x 844, an iPhone 12 to 15): no page is wider than the screen,
// and every diagram is drawn whole inside its card rather than cut off at the right edge or
// hidden behind a sideways scroll that a phone does not show. Signed-in pages are seen as Anna
// (home, search, a provider, her network, referrals, inbox, circle), Mario (his dashboard and
// business referrals) and Ben, who sets up a partner with keys, a widget snippet and a webhook
// delivery. Ben is a demo account so that this file signs no one up: sign-ups are limited per
// address, and the other files use most of that allowance.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const h = require("./helpers");

const PHONE = { width: 390, height: 844 };

let browser;
before(async () => { browser = await h.launch(); });
after(async () => { await browser?.close(); });

/**
 * How the page fits the screen: the layout's width, the elements that stick out past the right
 * edge (outside any box that scrolls them), and every diagram's box and what clips it.
 */
async function measure(page) {
  return page.evaluate(() => {
    const viewport = document.documentElement.clientWidth;
    const name = (e) => e.tagName.toLowerCase()
      + (e.id ? `#${e.id}` : "")
      + (typeof e.className === "string" && e.className ? `.${e.className.trim().split(/\s+/).join(".")}` : "");
    /**
     * The nearest ancestor that clips or scrolls `e` sideways, if any. An absolutely positioned
     * box (such as a visually hidden label in a table) escapes the clipping of every ancestor
     * below its containing block, and so can widen the page from inside a scrolling box.
     */
    const clipper = (e) => {
      let position = e.nodeType === Node.ELEMENT_NODE ? getComputedStyle(e).position : "static";
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
        const style = getComputedStyle(a);
        if (position === "fixed") return null;
        if (position === "absolute" && style.position === "static") continue;
        if (style.overflowX !== "visible") return a;
        position = style.position;
      }
      return null;
    };
    const sticking = [];
    for (const e of document.body.querySelectorAll("*")) {
      const r = e.getBoundingClientRect();
      if (r.width === 0 || r.right <= viewport + 0.5 || clipper(e)) continue;
      // Only the outermost: its children are reported with it.
      if (e.parentElement && e.parentElement.getBoundingClientRect().right > viewport + 0.5
          && !clipper(e.parentElement)) continue;
      sticking.push(`${name(e)} ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
    // Text that runs out of its box, such as a long URL in a heading.
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(t);
      const r = range.getBoundingClientRect();
      if (r.width === 0 || r.right <= viewport + 0.5 || clipper(t)) continue;
      sticking.push(`the text “${t.textContent.trim().slice(0, 40)}” in ${name(t.parentElement)} ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
    const diagrams = [...document.querySelectorAll("main svg[role='img']")].map((svg) => {
      const r = svg.getBoundingClientRect();
      const c = clipper(svg);
      const box = c ? c.getBoundingClientRect() : { left: 0, right: viewport };
      // Text drawn past the drawing's own edge is cut off by the SVG itself.
      const cut = [...svg.querySelectorAll("text")].filter((t) => {
        const tr = t.getBoundingClientRect();
        return tr.width > 0 && (tr.left < r.left - 0.5 || tr.right > r.right + 0.5);
      }).map((t) => t.textContent);
      return {
        diagram: svg.getAttribute("class"),
        left: Math.round(r.left),
        right: Math.round(r.right),
        width: Math.round(r.width),
        box: c ? name(c) : "viewport",
        boxLeft: Math.round(box.left),
        boxRight: Math.round(box.right),
        cut,
      };
    });
    return { width: document.documentElement.scrollWidth, viewport, sticking: sticking.slice(0, 8), diagrams };
  });
}

/**
 * What is wrong with how the page the browser shows fits the phone, in sentences (none if it
 * fits); `label` names the page. Each test gathers them over all its pages and fails once at
 * the end, so one run reports every page that does not fit.
 */
async function misfits(page, label, { diagrams = 0 } = {}) {
  const m = await measure(page);
  const problems = [];
  console.log(`${label}: ${m.width}px wide; diagrams ${JSON.stringify(m.diagrams.map((d) => `${d.diagram} ${d.left}..${d.right}px in ${d.box} ${d.boxLeft}..${d.boxRight}px`))}`);
  if (m.width > PHONE.width) {
    problems.push(`${label} is ${m.width}px wide on a ${PHONE.width}px phone; sticking out: ${m.sticking.join(", ")}`);
  }
  if (m.diagrams.length < diagrams) {
    problems.push(`${label} has ${m.diagrams.length} diagrams, expected ${diagrams}`);
  }
  for (const d of m.diagrams) {
    // Whole on screen, and whole inside its box: a diagram that only scrolls sideways shows
    // part of itself on a phone, whose scroll bars are hidden.
    if (d.left < 0 || d.right > m.viewport) {
      problems.push(`${label}: the ${d.diagram} diagram spans ${d.left}..${d.right}px, past the ${m.viewport}px screen`);
    }
    if (d.left < d.boxLeft || d.right > d.boxRight) {
      problems.push(`${label}: the ${d.diagram} diagram spans ${d.left}..${d.right}px but its box ${d.box} shows only ${d.boxLeft}..${d.boxRight}px`);
    }
    if (d.cut.length > 0) {
      problems.push(`${label}: the ${d.diagram} diagram cuts off its labels ${d.cut.join(", ")}`);
    }
  }
  return problems;
}

test("Anna's pages fit a phone's screen, diagrams and all", h.SLOW, async () => {
  const page = await h.newPage(browser, PHONE);
  const problems = [];
  await h.logIn(page, h.DEMO.anna);

  await page.goto("/");
  problems.push(...await misfits(page, "the home page", { diagrams: 1 }));
  await h.screenshot(page, "phone-home");

  await page.goto("/search?trade=tiler");
  await page.getByRole("heading", { name: /Tiler: \d+ results?/ }).waitFor();
  problems.push(...await misfits(page, "the tiler search", { diagrams: 1 }));
  await h.screenshot(page, "phone-search");

  await page.locator("ol.results li.result h3 a", { hasText: "Rossi Tiling" }).click();
  await page.getByRole("heading", { level: 1, name: "Rossi Tiling" }).waitFor();
  problems.push(...await misfits(page, "Rossi Tiling's page", { diagrams: 1 }));
  await h.screenshot(page, "phone-provider");

  await page.goto("/network");
  await page.locator("svg.network-map").waitFor();
  problems.push(...await misfits(page, "the network map", { diagrams: 1 }));
  await h.screenshot(page, "phone-network");

  for (const [path, heading] of [["/referrals", "Referrals"], ["/inbox", "Inbox"], ["/requests", /ask/i], ["/settings", "Settings"], ["/circle/import", /contacts/i], ["/circle", /circle/i], ["/providers/new", "List your business"]]) {
    await page.goto(path);
    await page.getByRole("heading", { level: 1, name: heading }).waitFor();
    problems.push(...await misfits(page, `Anna's ${path}`));
    await h.checkA11y(page, `Anna's ${path} on a phone`);
  }
  assert.deepEqual(problems, []);
});

test("a provider's dashboard and business referrals fit a phone's screen", h.SLOW, async () => {
  const page = await h.newPage(browser, PHONE);
  const problems = [];
  await h.logIn(page, h.DEMO.mario);
  await page.getByRole("link", { name: "Dashboard" }).click();
  await page.waitForURL(/\/providers\/\d+\/dashboard$/);
  problems.push(...await misfits(page, "Mario's dashboard", { diagrams: 1 }));
  await h.screenshot(page, "phone-dashboard");
  for (const [path, heading] of [["/referrals", "Referrals"], ["/inbox", "Inbox"]]) {
    await page.goto(path);
    await page.getByRole("heading", { level: 1, name: heading }).waitFor();
    problems.push(...await misfits(page, `Mario's ${path}`));
  }
  assert.deepEqual(problems, []);
});

test("the partner pages fit a phone's screen: keys, origins, the widget snippet and webhook deliveries", h.SLOW, async () => {
  const page = await h.newPage(browser, PHONE);
  const problems = [];
  await h.logIn(page, h.DEMO.ben);

  // A partner with long names and origins, as real shops have.
  await page.goto("/partners");
  await page.getByLabel("Name", { exact: true }).fill("Ben's Kitchens, Bathrooms and Home Improvement Supplies");
  await page.getByLabel("Allowed origins").fill(
    "https://www.bens-kitchens-bathrooms-and-home-improvement.example\nhttps://shop.example:8443",
  );
  await page.getByRole("button", { name: "Create partner" }).click();
  await page.waitForURL(/\/partners\/\d+\?done=partner-created/);
  const partnerPath = new URL(page.url()).pathname;

  // Two keys, the second shown once in its box.
  await page.getByLabel("Kind of key").selectOption("secret");
  await page.getByRole("button", { name: "Create key" }).click();
  await page.locator("#new-key").waitFor();
  await page.getByLabel("Kind of key").selectOption("publishable");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = await page.locator("#new-key").inputValue();
  assert.equal(await page.locator("table.keys tbody tr").count(), 2);
  problems.push(...await misfits(page, "a partner with a new key"));
  await h.screenshot(page, "phone-partner");

  await page.goto("/partners");
  await page.getByRole("heading", { level: 1, name: "Partners" }).waitFor();
  problems.push(...await misfits(page, "the partners list"));

  // The configurator with a snippet and its live preview.
  const painters = await (await fetch(`${h.BASE}/v1/search?trade=painter&limit=1`)).json();
  const painter = painters.results[0];
  await page.goto(`${partnerPath}/widget?key=${key}&widget=badge&provider=${painter.provider_id}&trade=painter`);
  await page.getByRole("textbox", { name: "Snippet" }).waitFor();
  problems.push(...await misfits(page, "the widget configurator"));
  await h.screenshot(page, "phone-partner-widget");

  // A webhook endpoint with a long address, and a delivery in its log: a public vouch (for a
  // painter, out of the way of the tiler searches other tests rank) is sent to every partner.
  // It is withdrawn at the end, so the demo town is left as it was.
  await page.goto(`${partnerPath}/webhooks`);
  await page.getByLabel("URL").fill("https://hooks.bens-kitchens-bathrooms-and-home-improvement.example/vouchgraph/webhooks/incoming");
  await page.getByLabel("vouch.created").check();
  await page.getByLabel("vouch.revoked").check();
  await page.getByRole("button", { name: "Add endpoint" }).click();
  await page.locator("#new-secret").waitFor();
  problems.push(...await misfits(page, "the webhooks page with a new signing secret"));
  await page.goto(`/providers/${painter.provider_id}`);
  const vouchForm = page.locator("#vouch");
  await vouchForm.getByLabel("I recommend them").check();
  await vouchForm.getByLabel("Who may see it").selectOption("public");
  await vouchForm.getByRole("button", { name: "Save my vouch" }).click();
  await page.waitForURL(/done=vouched/);
  const deadline = Date.now() + 60000;
  for (;;) {
    await page.goto(`${partnerPath}/webhooks`);
    if (await page.locator("table.deliveries tbody tr").count() > 0) break;
    assert.ok(Date.now() < deadline, "the vouch reached the webhook log within a minute");
    await page.waitForTimeout(1000);
  }
  problems.push(...await misfits(page, "the webhooks page with a delivery"));
  await h.checkA11y(page, "the webhooks page on a phone");
  await h.screenshot(page, "phone-partner-webhooks");

  await page.goto(`/providers/${painter.provider_id}`);
  await page.getByRole("button", { name: "Withdraw my vouch" }).click();
  await page.waitForURL(/done=/);
  assert.deepEqual(problems, []);
});
