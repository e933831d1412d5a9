// Word of mouth, end to end: a customer vouches for Rossi Tiling and refers it to a friend,
// the friend accepts, and Mario sees the referral in his dashboard's funnel.
"use strict";

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const h = require("./helpers");

let browser;
before(async () => { browser = await h.launch(); });
after(async () => { await browser?.close(); });

/** The funnel's counts on the dashboard that `page` shows. */
async function funnel(page) {
  const counts = {};
  for (const key of ["sent", "accepted", "contacted", "hired", "completed"]) {
    counts[key] = Number(await page.locator(`dd[data-stage="${key}"]`).textContent());
  }
  return counts;
}

test("a vouch and a referral reach the provider's dashboard", h.SLOW, async () => {
  // Mario, the owner, notes his funnel first.
  const mario = await h.newPage(browser);
  await h.logIn(mario, h.DEMO.mario);
  await mario.getByRole("link", { name: "Dashboard" }).click();
  await mario.waitForURL(/\/providers\/\d+\/dashboard$/);
  const providerId = mario.url().match(/\/providers\/(\d+)\//)[1];
  const before = await funnel(mario);

  // The friend who will receive the referral has an account already.
  const friend = h.fresh("Fran");
  const friendPage = await h.newPage(browser);
  await h.signUp(friendPage, friend);

  // A customer vouches for Rossi Tiling, then refers it to the friend by email.
  const customer = h.fresh("Cleo");
  const page = await h.newPage(browser);
  await h.signUp(page, customer);
  await page.goto(`/providers/${providerId}`);
  await page.getByRole("heading", { level: 1, name: "Rossi Tiling" }).waitFor();
  await h.checkA11y(page, "the provider page");
  const vouchForm = page.locator("#vouch");
  await vouchForm.getByLabel("I recommend them").check();
  await vouchForm.getByLabel(/What happened/).fill("Tiled our kitchen floor in a day; spotless.");
  await vouchForm.getByLabel("Who may see it").selectOption("public");
  await vouchForm.getByRole("button", { name: "Save my vouch" }).click();
  await page.waitForURL(/done=vouched/);
  const vouches = page.locator("#vouches");
  assert.match(await vouches.textContent(), new RegExp(`${customer.name}\\s+recommends`));
  assert.match(await vouches.textContent(), /Tiled our kitchen floor in a day/);

  const referForm = page.locator("#refer");
  await referForm.getByLabel(/Their email/).fill(friend.email);
  await referForm.getByLabel(/A note/).fill("Mario did our kitchen, you'll like him.");
  await referForm.getByRole("button", { name: "Send referral" }).click();
  // An email address gets an invitation link, shown once, which the friend opens logged in.
  await page.getByRole("heading", { level: 1, name: "Invitation ready" }).waitFor();
  await h.checkA11y(page, "the invitation link");
  const link = new URL(await page.getByLabel("Invitation link").inputValue());
  await friendPage.goto(link.pathname + link.search);
  await friendPage.getByRole("button", { name: "Take the referral" }).click();
  await friendPage.waitForURL(/\/referrals\?done=claimed/);
  await page.goto("/referrals");
  const sent = page.locator("#sent li.referral").filter({ hasText: friend.name }).first();
  assert.match(await sent.textContent(), /Rossi Tiling/);
  assert.match(await sent.locator(".status").textContent(), /sent/);
  await h.checkA11y(page, "the referrals page");

  // Sent: each card says whose turn it is, in words, to the customer and to Mario.
  await mario.goto("/referrals");
  const businessCard = () => mario.locator("#business li.referral").filter({ hasText: friend.name }).first();
  const friendCard = () => friendPage.locator("#received li.referral").filter({ hasText: customer.name }).first();
  const turn = async (card) => (await card.locator(".turn").textContent()).trim();
  await friendPage.goto("/referrals");
  assert.match(await turn(friendCard()), /^Your turn: accept it/);
  assert.match(await turn(businessCard()), /^Waiting for the customer to accept; then it is your turn/);

  // The friend finds it in their inbox and accepts it.
  await friendPage.goto("/inbox");
  assert.match(
    await friendPage.locator("ul.inbox").textContent(),
    new RegExp(`${customer.name} referred Rossi Tiling \\(tiler\\) to you`),
  );
  await h.checkA11y(friendPage, "the inbox");
  await friendPage.goto("/referrals");
  const received = friendPage.locator("#received li.referral").filter({ hasText: customer.name }).first();
  // Accepting asks how Rossi Tiling may reach them: the address is offered, a phone is theirs to add.
  await received.getByLabel("Phone").fill("07700 900123, evenings");
  await received.getByRole("button", { name: "Accept" }).click();
  await friendPage.waitForURL(/done=moved/);
  const accepted = friendPage.locator("#received li.referral").filter({ hasText: customer.name }).first();
  assert.match(await accepted.locator(".status").textContent(), /accepted/);
  // Accepted: the next moves are the friend's to make.
  await accepted.getByRole("button", { name: "I hired them" }).waitFor();
  assert.match(await accepted.locator(".contact").textContent(), /You shared:.*07700 900123, evenings/s);

  // Mario sees how to reach the friend on the referral; the customer who referred does not.
  await mario.goto("/referrals");
  const business = mario.locator("#business li.referral").filter({ hasText: friend.name }).first();
  assert.match(await business.locator(".contact").textContent(), new RegExp(`How to reach ${friend.name}:.*07700 900123`, "s"));
  await page.goto("/referrals");
  const sentNow = page.locator("#sent li.referral").filter({ hasText: friend.name }).first();
  assert.equal(await sentNow.locator(".contact").count(), 0, "the referrer sees no contact details");
  await mario.goto(`/providers/${providerId}/dashboard`);

  // Accepted: Mario's turn. He marks it contacted, and it is the customer's turn to say
  // whether they hired him; then, once hired, to say how the job went. Mario never rates it.
  await mario.goto("/referrals");
  assert.match(await turn(businessCard()), /^Your turn: get in touch with the customer/);
  await friendPage.goto("/referrals");
  assert.match(await turn(friendCard()), /^Waiting for the provider to get in touch/);
  await mario.goto("/referrals");
  await businessCard().getByRole("button", { name: "Mark contacted" }).click();
  await mario.waitForURL(/done=moved/);
  assert.match(await turn(businessCard()), /^Waiting for the customer to confirm the hire/);
  await friendPage.goto("/referrals");
  assert.match(await turn(friendCard()), /^Your turn: if you hire them, mark it hired/);
  await friendCard().getByRole("button", { name: "I hired them" }).click();
  await friendPage.waitForURL(/done=moved/);
  assert.match(await turn(friendCard()), /^Your turn once the job is done: say how it went/);
  await friendCard().getByLabel("How did it go?").waitFor();
  await mario.goto("/referrals");
  assert.match(await turn(businessCard()), /^Hired\. Once the job is done, the customer says how it went/);
  assert.equal(await businessCard().getByLabel("How did it go?").count(), 0, "the provider cannot rate its own job");
  await mario.goto(`/providers/${providerId}/dashboard`);

  // Mario's funnel counts the new referral as sent and accepted, and names the referrer.
  await mario.reload();
  const afterCounts = await funnel(mario);
  assert.equal(afterCounts.sent, before.sent + 1, "one more referral sent");
  assert.equal(afterCounts.accepted, before.accepted + 1, "one more accepted");
  assert.equal(afterCounts.hired, before.hired + 1, "one more hired");
  const referrers = mario.locator("section[aria-labelledby='referrers-heading'] table");
  const row = referrers.locator("tr").filter({ hasText: customer.name });
  assert.match(await row.textContent(), /recommends/);
  await h.checkA11y(mario, "the provider dashboard");
  await h.screenshot(mario, "dashboard-after-referral");
  await h.screenshot(friendPage, "referral-accepted");
});
