// The platform as a person meets it in a browser: sign in, the home page, sign out, a failed
// sign-in, another team's record, and an accessible page at every step.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { demoForThisFile, newPage, accessibilityViolations, signIn, enterCode, artifacts } from "../harness.mjs";

const demo = demoForThisFile();

async function assertAccessible(page, what) {
  const violations = await accessibilityViolations(page);
  assert.deepEqual(violations, [], `${what} has accessibility violations`);
  assert.deepEqual(page.consoleErrors, [], `${what} logged errors (a CSP violation shows here)`);
}

test("a clinician signs in, sees the home page and signs out", async () => {
  const page = await newPage(demo.browser);
  await page.goto(`${demo.cradle.baseUrl}/`);
  assert.match(page.url(), /\/login\?next=\/$/, "an anonymous visitor is sent to sign in");
  await assertAccessible(page, "the sign-in page");

  await signIn(page, demo.cradle.baseUrl, "clinician");
  await page.waitForURL(`${demo.cradle.baseUrl}/`);
  assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Hello, Priya Shah");
  assert.match(await page.getByTestId("signed-in-as").textContent(), /Priya Shah \(Perinatal clinician\)/);
  await page.screenshot({ path: join(artifacts, "home.png"), fullPage: true });
  await assertAccessible(page, "the home page");

  await page.getByRole("link", { name: "Families" }).first().click();
  await page.waitForURL(/\/families$/);
  assert.ok(await page.getByRole("link", { name: "Ada Okafor" }).isVisible());
  await assertAccessible(page, "the families page");

  await page.getByRole("link", { name: "Ada Okafor" }).click();
  assert.equal(await page.getByTestId("baby-name").textContent(), "Ada Okafor");
  await page.screenshot({ path: join(artifacts, "family.png"), fullPage: true });
  await assertAccessible(page, "a family page");

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/login\?reason=signed_out/);
  assert.match(await page.getByTestId("login-notice").textContent(), /You have signed out/);
  await assertAccessible(page, "the signed-out page");

  await page.goBack();
  await page.goto(`${demo.cradle.baseUrl}/families`);
  assert.match(page.url(), /\/login/, "after signing out the record cannot be reopened");
  await page.context().close();
});

test("a sign-in link that would leave the site, once signed in, stays on Cradle", async () => {
  // Browsers drop the tab from "/<tab>/evil.example/" and would read it as "//evil.example/".
  for (const next of ["%2F%09%2Fevil.example%2F", "%2F%5Cevil.example", "%2F%2Fevil.example%2F"]) {
    const page = await newPage(demo.browser);
    const requested = [];
    page.on("request", (request) => requested.push(new URL(request.url()).host));
    await page.goto(`${demo.cradle.baseUrl}/login?next=${next}`);
    await page.getByLabel("Username").fill("clinician");
    await page.getByLabel("Password").fill("cradle-demo-2026");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${demo.cradle.baseUrl}/`);
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Hello, Priya Shah");
    assert.deepEqual(
      [...new Set(requested)],
      [new URL(demo.cradle.baseUrl).host],
      `after signing in with next=${next}, the browser asked only Cradle for pages`,
    );
    await page.context().close();
  }
});

test("a failed sign-in says what is wrong and keeps the username", async () => {
  const page = await newPage(demo.browser);
  await signIn(page, demo.cradle.baseUrl, "nursery.nurse", "not-the-password");
  const summary = page.locator(".nhsuk-error-summary");
  assert.ok(await summary.isVisible());
  assert.match(await summary.textContent(), /The username or password is not right/);
  assert.equal(await page.getByLabel("Username").inputValue(), "nursery.nurse");
  assert.equal(await page.getByLabel("Password").inputValue(), "");
  assert.match(await page.title(), /^Error: /, "the page title says there is an error");
  await page.screenshot({ path: join(artifacts, "login-error.png"), fullPage: true });
  await assertAccessible(page, "the sign-in page with an error");

  await page.getByLabel("Username").fill("");
  await page.getByRole("button", { name: "Sign in" }).click();
  assert.match(await page.locator(".nhsuk-error-summary").textContent(), /Enter your username/);
  await page.context().close();
});

test("another team's record is refused with a way to ask for emergency access", async () => {
  const page = await newPage(demo.browser);
  await signIn(page, demo.cradle.baseUrl, "mbu.clinician");
  await page.waitForURL(`${demo.cradle.baseUrl}/`);
  await page.goto(`${demo.cradle.baseUrl}/families`);
  const href = await page.getByRole("link", { name: "Rory Brennan" }).getAttribute("href");
  await page.getByRole("button", { name: "Sign out" }).click();

  await signIn(page, demo.cradle.baseUrl, "clinician");
  await page.waitForURL(`${demo.cradle.baseUrl}/`);
  const response = await page.goto(`${demo.cradle.baseUrl}${href}`);
  assert.equal(response.status(), 403);
  assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "This family is cared for by another team");
  await assertAccessible(page, "the other-team page");

  await page.getByRole("link", { name: "Ask for emergency access to this record" }).click();
  await assertAccessible(page, "the emergency access form");
  // Emergency access needs a second factor: the clinician sets one up, then comes back.
  assert.match(await page.getByTestId("needs-second-factor").textContent(), /needs a second factor/);
  const form = page.url();
  await page.getByRole("link", { name: "Set up a second factor" }).click();
  await assertAccessible(page, "setting up a second factor");
  await page.screenshot({ path: join(artifacts, "second-factor-set-up.png"), fullPage: true });
  const key = (await page.getByTestId("second-factor-key").textContent()).replace(/\s/g, "");
  await enterCode(page, key, "Save my second factor");
  assert.equal(page.url(), form, "setting it up comes back to the request");
  await page.getByRole("button", { name: "Open the record with emergency access" }).click();
  assert.match(await page.locator(".nhsuk-error-summary").textContent(), /at least 15 characters/);
  await assertAccessible(page, "the emergency access form with an error");
  await page.getByLabel("Why do you need access now?").fill("Mother transferred to us overnight; need the care plan");
  await enterCode(page, key, "Open the record with emergency access");
  assert.equal(await page.getByTestId("baby-name").textContent(), "Rory Brennan");
  assert.ok(await page.getByRole("alert").isVisible(), "emergency access is shown on the record");
  await assertAccessible(page, "a record opened with emergency access");
  await page.context().close();
});

test("a manager sees who has accessed a record; an administrator manages accounts", async () => {
  const page = await newPage(demo.browser);
  await signIn(page, demo.cradle.baseUrl, "manager");
  await page.waitForURL(`${demo.cradle.baseUrl}/`);
  await page.goto(`${demo.cradle.baseUrl}/families`);
  await page.getByRole("link", { name: "Ada Okafor" }).click();
  await page.getByRole("link", { name: "See who has accessed this record" }).click();
  assert.match(await page.getByTestId("record-audit").textContent(), /Viewed the family record/);
  await page.screenshot({ path: join(artifacts, "record-audit.png"), fullPage: true });
  await assertAccessible(page, "the record audit page");
  await page.getByRole("button", { name: "Sign out" }).click();

  await signIn(page, demo.cradle.baseUrl, "admin");
  await page.waitForURL(`${demo.cradle.baseUrl}/`);
  await page.goto(`${demo.cradle.baseUrl}/admin/staff`);
  await assertAccessible(page, "the staff accounts page");
  await page.goto(`${demo.cradle.baseUrl}/admin/staff/new`);
  await page.getByRole("button", { name: "Create account" }).click();
  assert.match(await page.locator(".nhsuk-error-summary").textContent(), /Enter a username/);
  await assertAccessible(page, "the new account form with errors");
  await page.goto(`${demo.cradle.baseUrl}/admin/teams`);
  await assertAccessible(page, "the teams page");
  const missing = await page.goto(`${demo.cradle.baseUrl}/no-such-page`);
  assert.equal(missing.status(), 404);
  await assertAccessible(page, "the page-not-found page");
  const forbidden = await page.goto(`${demo.cradle.baseUrl}/families`);
  assert.equal(forbidden.status(), 403);
  await assertAccessible(page, "the permission page");
  await page.context().close();
});
