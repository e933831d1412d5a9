// Mario's vouch link, opened by someone who has no account yet: they are asked to log in,
// create an account instead, and land back on Rossi Tiling's vouch form, not on a page of
// their own. The same holds for the referral form.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const h = require("./helpers");

let browser;
before(async () => { browser = await h.launch(); });
after(async () => { await browser?.close(); });

/** Fills the sign-up form the visitor has been sent to, and sends it. */
async function signUpHere(page, who) {
  await page.getByLabel("Your name").fill(who.name);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign up" }).click();
}

test("a new customer follows Mario's vouch link through sign-up to the vouch form", h.SLOW, async () => {
  const mario = await h.newPage(browser);
  await h.logIn(mario, h.DEMO.mario);
  await mario.getByRole("link", { name: "Dashboard" }).click();
  const link = await mario.getByLabel("Your vouch link").inputValue();
  assert.match(link, /\/providers\/\d+#vouch$/);
  const provider = link.match(/\/providers\/(\d+)#/)[1];

  // Through "Log in to vouch", then "Create an account" on the login page.
  const customer = await h.newPage(browser);
  await customer.goto(link);
  await customer.getByRole("link", { name: "Log in to vouch" }).click();
  await customer.waitForURL(/\/login\?next=/);
  await customer.getByRole("link", { name: "Create an account" }).click();
  await signUpHere(customer, h.fresh("Carla"));
  await customer.waitForURL(new RegExp(`/providers/${provider}#vouch$`));
  await customer.locator("#vouch").getByRole("button", { name: "Save my vouch" }).waitFor();

  // Straight from the provider's page to sign-up, for the referral form.
  const friend = await h.newPage(browser);
  await friend.goto(`/providers/${provider}`);
  await friend.getByRole("link", { name: "or create an account" }).click();
  await signUpHere(friend, h.fresh("Dario"));
  await friend.waitForURL(new RegExp(`/providers/${provider}#refer$`));
  await friend.locator("#refer").getByRole("button", { name: "Send referral" }).waitFor();
  await h.checkA11y(friend, "a provider's page after sign-up");
});
