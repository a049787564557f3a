// The partner pathway: a clinician offers a father an assessment, records his acceptance,
// completes a PHQ-9 with him whose self-harm question raises a safety alert, records acting
// on it, and records the outcome; every page checked with axe-core.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startCradle, openBrowser, newPage, accessibilityViolations, signIn } from "../harness.mjs";

let cradle;
let chromium;

before(async () => {
  cradle = await startCradle();
  chromium = await openBrowser();
});

after(async () => {
  await chromium?.close();
  await cradle?.stop();
});

async function assertAccessible(page, what) {
  assert.deepEqual(await accessibilityViolations(page), [], `${what} has accessibility violations`);
  assert.deepEqual(page.consoleErrors, [], `${what} logged errors`);
}

async function saveStep(page, step) {
  await page.getByLabel(step).check();
}

test("a father is offered an assessment, accepts, completes a PHQ-9 that raises the self-harm alert, and is offered VIPP", async () => {
  const page = await newPage(chromium.browser);
  await signIn(page, cradle.baseUrl, "clinician");
  await page.waitForURL(`${cradle.baseUrl}/`);
  await page.goto(`${cradle.baseUrl}/families?q=Amara`);
  await page.getByRole("table").getByRole("link").first().click();
  const familyUrl = page.url();

  // The pathway: identified, offered, accepted.
  await page.getByRole("link", { name: /^Partner pathway for Tunde/ }).click();
  await assertAccessible(page, "the partner pathway page");
  assert.match(await page.getByTestId("pathway-summary").textContent(), /Not on the pathway/);
  await page.getByLabel("Named at the mother's referral").check();
  await page.getByRole("button", { name: "Save the step" }).click();
  await page.getByLabel("In person").check();
  await page.getByRole("button", { name: "Save the step" }).click();
  await saveStep(page, "Accepted the offer");
  await page.getByRole("button", { name: "Save the step" }).click();
  assert.match(await page.getByTestId("pathway-summary").textContent(), /Accepted the offer .*; next: the assessment/);

  // The PHQ-9, with question 9 above zero.
  await page.goto(familyUrl);
  await page.getByRole("link", { name: /^Complete a questionnaire with Tunde/ }).click();
  await page.getByLabel("Patient Health Questionnaire (PHQ-9)").check();
  await page.getByRole("button", { name: "Continue" }).click();
  await assertAccessible(page, "the PHQ-9 form");
  await page.getByLabel(/^Adults/).check();
  for (let n = 1; n <= 9; n++) {
    await page.getByRole("group", { name: new RegExp(`^${n}\\. `) }).getByLabel("Several days").check();
  }
  await page.getByRole("button", { name: "Save and score" }).click();
  await page.waitForURL(familyUrl);
  const alert = page.getByTestId("questionnaire-alert");
  assert.match(await alert.textContent(), /Thoughts of being better off dead or of self-harm were reported/);
  await assertAccessible(page, "the family page with a safety alert");

  // Acting on the alert.
  await alert.getByRole("link", { name: /Record what was done/ }).click();
  await assertAccessible(page, "the alert action form");
  await page.getByLabel("What was done").fill("Risk assessed with Tunde today: no plans or intent; safety plan agreed, crisis numbers given.");
  await page.getByRole("button", { name: "Record the action" }).click();
  await page.waitForURL(familyUrl);
  assert.equal(await page.getByTestId("questionnaire-alert").count(), 0);

  // The outcome: offered support by the team (VIPP).
  await page.getByRole("link", { name: /^Partner pathway for Tunde/ }).click();
  await page.getByLabel("Offered support by the team").check();
  await page.getByLabel("Where they were signposted or referred, or the support offered").fill("Video feedback (VIPP) with the baby");
  await page.getByRole("button", { name: "Save the step" }).click();
  assert.match(await page.getByTestId("pathway-summary").textContent(), /Assessed .*; next: follow up/);
  assert.match(await page.getByRole("table").textContent(), /Offered support by the team: Video feedback \(VIPP\) with the baby/);
  await assertAccessible(page, "the pathway after the assessment");

  // The team manager sees him counted in this month's figures.
  const manager = await newPage(chromium.browser);
  await signIn(manager, cradle.baseUrl, "manager");
  await manager.waitForURL(`${cradle.baseUrl}/`);
  await manager.goto(`${cradle.baseUrl}/teams`);
  await manager.getByRole("link", { name: "Partner pathway figures" }).click();
  const month = new Date().toLocaleString("en-GB", { month: "long", year: "numeric" });
  const row = manager.getByRole("row").filter({ hasText: month });
  const cells = await row.getByRole("cell").allTextContents();
  // Team, month, identified, offered, accepted, declined, assessed, signposted, supported, referred on.
  assert.deepEqual(cells.slice(2), ["1", "1", "1", "0", "1", "0", "1", "0"]);
  await assertAccessible(manager, "the partner pathway figures");
});
