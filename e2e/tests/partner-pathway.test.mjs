// The partner pathway: a clinician offers a father an assessment, records his acceptance,
// completes a PHQ-9 with him whose self-harm question raises a safety alert, records acting
// on it, and records the outcome; every page checked with axe-core.

import { test } from "node:test";
import { readFile } from "node:fs/promises";
import assert from "node:assert/strict";
import { demoForThisFile, newPage, signIn, assertAccessible } from "../harness.mjs";

const demo = demoForThisFile();

test("a father is offered an assessment, accepts, completes a PHQ-9 that raises the self-harm alert, and is offered VIPP", async () => {
  const page = await newPage(demo.browser);
  await signIn(page, demo.cradle.baseUrl, "clinician");
  await page.waitForURL(`${demo.cradle.baseUrl}/`);
  await page.goto(`${demo.cradle.baseUrl}/families?q=Amara`);
  await page.getByRole("table").getByRole("link").first().click();
  const familyUrl = page.url();

  // The pathway: identified, offered, accepted.
  await page.getByRole("link", { name: /^Partner pathway for Tunde/ }).click();
  await assertAccessible(page, "the partner pathway page");
  assert.match(await page.getByTestId("pathway-summary").textContent(), /Not on the pathway/);
  await page.getByLabel("Named at the mother's referral").check();
  await page.getByRole("button", { name: "Save the step" }).click();
  // The offer and his answer there and then, in one form.
  await page.getByRole("group", { name: "How was the assessment offered?" }).getByLabel("In person").check();
  await page.getByLabel("Yes, they accepted").check();
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

  // His own assessment, with the partner package: offered VIPP.
  await page.getByRole("link", { name: /^Partner pathway for Tunde/ }).click();
  await page.getByRole("link", { name: "Record their assessment" }).click();
  await assertAccessible(page, "the assessment form");
  await page.getByLabel("How they are feeling now").fill("Low and on edge since the birth; sleeping badly");
  await page.getByLabel("What they would like").fill("To feel confident holding and settling the baby");
  await page.getByLabel("No risk to themselves or others identified").check();
  await page.getByLabel("Video-feedback intervention to promote positive parenting (VIPP)").check();
  await page.getByLabel("Offered support by the team").check();
  await page.getByLabel("Where they were signposted or referred, or the support offered").fill("Video feedback (VIPP) with the baby");
  await page.getByLabel("Peer support for partners and fathers").check();
  await page.getByRole("button", { name: "Save the assessment" }).click();
  assert.match(await page.getByTestId("pathway-summary").textContent(), /Assessed .*; next: follow up/);
  assert.match(await page.getByRole("table").textContent(), /Offered support by the team: Video feedback \(VIPP\) with the baby/);
  assert.match(await page.getByTestId("assessment").textContent(), /To feel confident holding and settling the baby/);
  await assertAccessible(page, "the pathway after the assessment");

  // The team manager sees him counted in this month's figures.
  const manager = await newPage(demo.browser);
  await signIn(manager, demo.cradle.baseUrl, "manager");
  await manager.waitForURL(`${demo.cradle.baseUrl}/`);
  await manager.goto(`${demo.cradle.baseUrl}/teams`);
  await manager.getByRole("link", { name: "Partner pathway figures" }).click();
  const month = new Date().toLocaleString("en-GB", { month: "long", year: "numeric" });
  const row = manager.getByRole("row").filter({ hasText: month });
  const cells = await row.getByRole("cell").allTextContents();
  // Team, month, identified, offered, accepted, declined, assessed, signposted, supported, referred on.
  assert.deepEqual(cells.slice(2), ["1", "1", "1", "0", "1", "0", "1", "0"]);
  await assertAccessible(manager, "the partner pathway figures");
});

test("a team manager chooses who else is offered the pathway and imports the service's own questionnaire", async () => {
  const manager = await newPage(demo.browser);
  await signIn(manager, demo.cradle.baseUrl, "manager");
  await manager.waitForURL(`${demo.cradle.baseUrl}/`);
  await manager.goto(`${demo.cradle.baseUrl}/teams`);
  await manager.getByRole("link", { name: "North Perinatal Community Team", exact: true }).click();
  await assertAccessible(manager, "the team settings");
  await manager.getByLabel("Grandparent").check();
  await manager.getByRole("button", { name: "Save who is offered the pathway" }).click();
  assert.equal(await manager.getByLabel("Grandparent").isChecked(), true);

  await manager.getByRole("link", { name: "Import a questionnaire definition" }).click();
  await assertAccessible(manager, "the import page");
  // A definition with a fault is refused with the fault named, and the text kept.
  const example = await readFile(new URL("../../docs/instruments/example-confidence-scale.json", import.meta.url), "utf8");
  await manager.getByLabel("Definition file").fill(example.replace('"version": "0.1.0"', '"version": ""'));
  await manager.getByRole("button", { name: "Check and import" }).click();
  assert.match(await manager.locator(".nhsuk-error-summary").textContent(), /the questionnaire has no version/);
  await assertAccessible(manager, "the import page with a fault");
  await manager.getByLabel("Definition file").fill(example);
  await manager.getByRole("button", { name: "Check and import" }).click();
  const listed = manager.getByTestId("questionnaires");
  assert.match(await listed.textContent(), /Example confidence scale/);
  assert.match(await listed.textContent(), /Imported by Helen Morris/);
  await assertAccessible(manager, "the team settings with an imported questionnaire");
});
