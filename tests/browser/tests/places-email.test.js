// Places and email as a newcomer meets them: sign up typing "Redland" (picked from the
// suggestions), confirm the address through the link in the email the server really sent
// (caught by `vouchgraph mail-catcher` into VOUCHGRAPH_MAIL_DIR), then search for a tiler near
// "BS6" and see how far away each one is, and where.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const h = require("./helpers");

const MAIL_DIR = process.env.VOUCHGRAPH_MAIL_DIR;

let browser;
before(async () => { browser = await h.launch(); });
after(async () => { await browser?.close(); });

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
  const mail = await waitForEmail(who.email, "Confirm your email address");
  assert.match(mail, /multipart\/alternative/);
  await page.goto(linkIn(mail, "/verify-email"));
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
