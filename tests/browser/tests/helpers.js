// Shared set-up for the browser tests: one chromium per test file (Debian's, never a
// downloaded one), fresh accounts with unique emails, an axe-core check, and screenshots.
"use strict";

const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { chromium } = require("playwright-core");

/** The server under test: migrated and seeded with the demo town. */
const BASE = (process.env.VOUCHGRAPH_URL || "http://127.0.0.1:8080").replace(/\/$/, "");
/** Where screenshots go (git-ignored). */
const ARTIFACTS = process.env.ARTIFACTS_DIR || path.join(__dirname, "..", "..", "artifacts", "browser");
/** Options for every test: a browser flow on a 2-core machine can take a while. */
const SLOW = { timeout: 120000 };
/** The folder the server's mail catcher writes each email to. */
const MAIL_DIR = process.env.VOUCHGRAPH_MAIL_DIR;
/** A password that passes the policy. */
const PASSWORD = "tiles and grout 42";

/** The demo town's story accounts (see src/demo/story.rs). */
const DEMO = {
  anna: { email: "anna@demo.vouchgraph.test", password: "anna-demo-2026" },
  mario: { email: "mario@demo.vouchgraph.test", password: "mario-demo-2026" },
  matt: { email: "matt@demo.vouchgraph.test", password: "matt-demo-2026" },
  ben: { email: "ben@demo.vouchgraph.test", password: "ben-demo-2026" },
};

async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * A fresh browser context: its own cookies, so each account signs in separately. The pages'
 * Content-Security-Policy allows no inline script; axe-core is injected as one, so the tests
 * bypass the policy (the policy itself is checked by the Rust tests in tests/web).
 */
async function newPage(browser, viewport = { width: 1200, height: 900 }) {
  const context = await browser.newContext({ baseURL: BASE, viewport, bypassCSP: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  return page;
}

let counter = 0;
/** A name and email no earlier run has used. */
function fresh(first) {
  counter += 1;
  const tag = `${Date.now().toString(36)}${process.pid.toString(36)}${counter}`;
  return {
    name: `${first} Tester ${tag}`,
    email: `${first.toLowerCase()}.${tag}@example.com`,
    password: PASSWORD,
  };
}

/** Signs up through the form; the browser is signed in afterwards. */
async function signUp(page, who) {
  await page.goto("/signup");
  await page.getByLabel("Your name").fill(who.name);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(/\/circle/);
  await assert.doesNotReject(page.getByRole("button", { name: "Log out" }).waitFor());
}

/** Logs in through the form. */
async function logIn(page, who) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("button", { name: "Log out" }).waitFor();
}

/** Logs out through the header's button. */
async function logOut(page) {
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("link", { name: "Log in" }).waitFor();
}

/** Trusts the first person called exactly `name` at `level` with `visibility`. */
async function trust(page, name, level, visibility = "public") {
  await page.goto(`/circle?q=${encodeURIComponent(name)}`);
  const row = page.locator("ul[aria-label='People found'] li.person-row").filter({
    has: page.locator(".person-name", { hasText: new RegExp(`^${escapeRegExp(name)}\\s`) }),
  }).first();
  await row.getByLabel(`Trust level for ${name}`).selectOption(String(level));
  await row.getByLabel("Who may see it").selectOption(visibility);
  await row.getByRole("button", { name: `Trust ${name}` }).click();
  await page.waitForURL(/done=trusted/);
}

/** The ranked provider names on a search results page, best first. */
async function resultNames(page) {
  return page.locator("ol.results li.result h3 a").allTextContents();
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Runs axe-core on the page and fails on serious or critical violations, naming them.
 * `label` says which page it was, for the message.
 */
async function checkA11y(page, label) {
  await page.addScriptTag({ path: require.resolve("axe-core") });
  const results = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  });
  const bad = results.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad, [], `accessibility violations on ${label}: ${JSON.stringify(bad, null, 2)}`);
}

/** Saves a full-page screenshot as ARTIFACTS/name.png (or to an explicit path). */
async function screenshot(page, name, file) {
  const target = file || path.join(ARTIFACTS, `${name}.png`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  await page.screenshot({ path: target, fullPage: true });
  return target;
}

/** The raw text of the first caught email to `address` whose subject has `subject`. */
async function waitForEmail(address, subject) {
  assert.ok(MAIL_DIR, "VOUCHGRAPH_MAIL_DIR names the mail catcher's folder");
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    const files = fs.existsSync(MAIL_DIR) ? fs.readdirSync(MAIL_DIR).filter((f) => f.endsWith(".eml")) : [];
    for (const file of files.sort()) {
      const raw = fs.readFileSync(path.join(MAIL_DIR, file), "utf8");
      const head = raw.split("\r\n\r\n")[0];
      if (head.toLowerCase().includes(`to: ${address}`.toLowerCase()) && head.includes(subject)) {
        return raw;
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no email to ${address} about "${subject}" in ${MAIL_DIR}`);
}

/** The first link to `pathname` in a message, quoted-printable soft breaks undone. */
function linkIn(raw, pathname) {
  const text = raw.replace(/=\r\n/g, "").replace(/=3D/g, "=");
  const match = text.match(new RegExp(`https?://[^\\s"<>]*${pathname}\\?token=[A-Za-z0-9_-]+`));
  assert.ok(match, `a ${pathname} link in:\n${text}`);
  return match[0];
}

module.exports = {
  SLOW,
  BASE,
  DEMO,
  ARTIFACTS,
  launch,
  newPage,
  fresh,
  signUp,
  logIn,
  logOut,
  trust,
  resultNames,
  checkA11y,
  screenshot,
  waitForEmail,
  linkIn,
};
