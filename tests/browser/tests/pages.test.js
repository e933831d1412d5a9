// Every page a visitor can reach passes axe-core without serious or critical violations, and
// forms explain their errors next to the fields.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const h = require("./helpers");

let browser;
before(async () => { browser = await h.launch(); });
after(async () => { await browser?.close(); });

test("the public pages are accessible", h.SLOW, async () => {
  const page = await h.newPage(browser);
  for (const [path, heading] of [
    ["/", "Find a tradesperson through the people you trust"],
    ["/login", "Log in"],
    ["/signup", "Create your account"],
    ["/search?trade=tiler", "Search"],
    ["/providers/999999", "Not Found"],
  ]) {
    await page.goto(path);
    await page.getByRole("heading", { level: 1, name: heading }).waitFor();
    await h.checkA11y(page, path);
  }
  await h.screenshot(page, "not-found");
});

test("the sign-up form marks the fields it refuses, and keeps what was typed", h.SLOW, async () => {
  const page = await h.newPage(browser);
  await page.goto("/signup");
  await page.getByLabel("Your name").fill("Robin Example");
  await page.getByLabel("Email").fill("not an email");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.locator(".field-error").first().waitFor();
  assert.equal(await page.getByLabel("Email").getAttribute("aria-invalid"), "true");
  assert.equal(await page.getByLabel("Your name").inputValue(), "Robin Example");
  assert.equal(await page.getByLabel("Password").inputValue(), "", "a password is never sent back");
  assert.match(await page.locator("#email-error").textContent(), /email address/);
  await h.checkA11y(page, "the sign-up form with errors");
  await h.screenshot(page, "signup-errors");
});

test("at 1280 px a provider's header, with every menu entry, stays on one line", h.SLOW, async () => {
  const page = await h.newPage(browser, { width: 1280, height: 800 });
  await h.logIn(page, h.DEMO.mario);
  await page.getByRole("link", { name: "Dashboard" }).waitFor();
  const rows = await page.evaluate(() => {
    const parts = [".site-header .brand", ".main-nav li", ".site-header .account"]
      .flatMap((s) => [...document.querySelectorAll(s)]);
    // Everything on one line shares a vertical band: each centre lies inside the brand's box.
    const brand = parts[0].getBoundingClientRect();
    return parts
      .map((e) => { const r = e.getBoundingClientRect(); return { text: e.textContent.trim().slice(0, 20), centre: (r.top + r.bottom) / 2 }; })
      .filter((p) => p.centre < brand.top || p.centre > brand.bottom);
  });
  assert.deepEqual(rows, [], "entries below the brand's line");
  await h.screenshot(page, "header-1280");
});

test("the owner's profile editor is accessible and keyboard friendly", h.SLOW, async () => {
  const page = await h.newPage(browser);
  await h.logIn(page, h.DEMO.mario);
  await page.getByRole("link", { name: "Dashboard" }).click();
  await page.getByRole("link", { name: "Edit profile" }).click();
  await page.getByRole("heading", { level: 1, name: "Edit your profile" }).waitFor();
  // The first field takes focus from the keyboard, after the skip link and the header.
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Skip to content");
  await h.checkA11y(page, "the profile editor");
  await h.screenshot(page, "edit-profile");
});
