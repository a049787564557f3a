// Exploring each caregiver's relationship with the baby: a joint conversation with a father
// and a grandmother, a coping concern that flags the caseload, the action taken, closing the
// concern, an observation with a positive moment, and a routine enquiry about abuse asked
// alone; every page checked with axe-core.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { demoForThisFile, newPage, signIn, artifacts, assertAccessible } from "../harness.mjs";

const demo = demoForThisFile();

test("a joint conversation, a coping concern acted on and closed, an observation with a positive moment, and a routine enquiry", async () => {
  const page = await newPage(demo.browser);
  await signIn(page, demo.cradle.baseUrl, "clinician");
  await page.waitForURL(`${demo.cradle.baseUrl}/`);

  // Amara's family: Tunde, the father, and Grace, Amara's mother, who helps at night.
  await page.goto(`${demo.cradle.baseUrl}/families?q=Amara`);
  await page.getByRole("table").getByRole("link").first().click();
  const familyUrl = page.url();
  await page.getByRole("link", { name: "Add a person" }).or(page.getByRole("button", { name: "Add a person" })).click();
  await page.getByLabel("Full name").fill("Grace Adebayo");
  await page.getByRole("button", { name: "Save" }).click();

  await page.getByRole("link", { name: "Record a relationship conversation" }).click();
  await assertAccessible(page, "the conversation form");
  await page.getByLabel("Tunde Okafor").check();
  await page.getByLabel("Grace Adebayo").check();
  await page.getByRole("button", { name: "Save and finish later" }).click();
  assert.match(await page.locator(".nhsuk-error-summary").textContent(), /seen together or separately/);
  await assertAccessible(page, "the conversation form with an error");
  await page.getByLabel("Seen together").check();
  await page.getByLabel("Their relationship with the baby, in their words").fill("Tunde says bath time is theirs: she kicks and laughs");
  await page.getByLabel("How they cope when they are at the end of their tether").fill("Tunde says he has shouted at the baby when the crying went on after no sleep");
  await page.getByRole("button", { name: "Save and finish later" }).click();
  assert.match(await page.getByTestId("conversations").textContent(), /Not finished/);

  await page.getByRole("link", { name: /^Carry on/ }).click();
  await page.getByLabel("Your formulation").fill("A warm bond with play at its heart; exhaustion is the risk to watch");
  await page.getByRole("button", { name: "Finish the conversation" }).click();
  assert.match(await page.getByTestId("conversations").textContent(), /Finished/);

  await page.getByRole("link", { name: /Mark what was said about coping as a concern/ }).click();
  await assertAccessible(page, "the concern form");
  await page.getByLabel("Tunde Okafor").check();
  await page.getByLabel("Risk around the baby's crying").check();
  await page.getByLabel("Exhaustion").check();
  await page.getByRole("button", { name: "Raise the concern" }).click();
  assert.match(await page.getByTestId("open-concern").textContent(), /Tunde Okafor/);
  await assertAccessible(page, "the family page with a concern");

  await page.goto(`${demo.cradle.baseUrl}/families?q=Amara`);
  assert.equal(await page.getByTestId("concern-flag").count(), 1, "the caseload shows the flag");
  await assertAccessible(page, "the caseload with a concern flag");
  await page.goto(familyUrl);

  await page.getByRole("link", { name: "Record the action taken" }).click();
  await assertAccessible(page, "the action form");
  await page.getByLabel("Information on coping with crying given").check();
  await page.getByLabel(/What was done/).fill("Talked through putting the baby down safely and calling Grace");
  await page.getByRole("button", { name: "Record the action" }).click();
  await page.getByRole("link", { name: "Close the concern" }).click();
  await page.getByLabel("Why can the concern be closed?").fill("Safety plan agreed; Tunde and Grace share the nights");
  await page.getByRole("button", { name: "Close the concern" }).click();
  assert.equal(await page.getByTestId("open-concern").count(), 0);
  assert.match(await page.getByTestId("closed-concerns").textContent(), /Closed concerns \(1\)/);
  await page.screenshot({ path: join(artifacts, "relationships.png"), fullPage: true });
  await assertAccessible(page, "the family page after closing");

  // An observation of Tunde with the baby, with a positive moment fed back to him.
  await page.getByRole("link", { name: "Record an interaction observation" }).click();
  await assertAccessible(page, "the observation form");
  await page.getByRole("group", { name: "Whose interaction with the baby did you observe?" }).getByLabel("Tunde Okafor").check();
  await page.getByLabel("At home").check();
  await page.getByLabel("Responding to the baby's cues").fill("Paused when she turned away and waited for her to look back");
  await page.getByLabel("What happened").fill("He copied her coo and she cooed back, three turns");
  await page.getByLabel("Made eye contact").check();
  await page.getByRole("button", { name: "Save the observation" }).click();
  assert.match(await page.locator(".nhsuk-error-summary").textContent(), /how you highlighted the moment/);
  await assertAccessible(page, "the observation form with an error");
  await page.getByLabel("How you highlighted it to them").fill("Told Tunde how she lit up when he answered her");
  await page.getByRole("button", { name: "Save the observation" }).click();
  assert.match(await page.getByTestId("moments").textContent(), /He copied her coo/);
  await assertAccessible(page, "the family page with a positive moment");

  // The moment corrected from the family page, with a reason; the earlier wording is kept.
  await page.getByTestId("moments").getByRole("link", { name: /^correct the moment/ }).click();
  await assertAccessible(page, "the positive moment correction form");
  await page.getByLabel("What happened").fill("He copied her coo and she cooed back, four turns");
  await page.getByRole("button", { name: "Save the positive moment" }).click();
  assert.match(await page.locator(".nhsuk-error-summary").textContent(), /reason/i);
  await page.getByLabel("Reason for the change").fill("Four turns, not three");
  await page.getByRole("button", { name: "Save the positive moment" }).click();
  assert.match(await page.getByTestId("moments").textContent(), /four turns/);
  await page.getByTestId("moments").getByRole("link", { name: /^earlier versions/ }).click();
  assert.match(await page.locator("main").textContent(), /three turns[\s\S]*Four turns, not three|Four turns, not three[\s\S]*three turns/);
  await assertAccessible(page, "the positive moment's earlier versions");
  await page.goto(familyUrl);

  // A strength noticed in Tunde, for the team and for his summary.
  await page.getByRole("link", { name: "Record needs, strengths or confidence" }).click();
  await assertAccessible(page, "the needs and strengths form");
  await page.getByRole("group", { name: "Who is it about?" }).getByLabel("Tunde Okafor").check();
  await page.getByLabel("Strength noticed").check();
  await page.getByLabel("Note", { exact: true }).fill("You stay calm and gentle when she is upset");
  await page.getByRole("button", { name: "Save the note" }).click();
  assert.match(await page.getByTestId("needs").first().textContent(), /calm and gentle/);

  // The father's own printable summary, strengths first.
  await page.getByRole("link", { name: "Print “You and your baby” for Tunde Okafor" }).click();
  assert.equal(await page.getByTestId("summary-title").textContent(), "You and Ada");
  assert.match(await page.getByTestId("summary-moments").textContent(), /He copied her coo/);
  assert.match(await page.getByTestId("summary-strengths").textContent(), /calm and gentle/);
  await page.screenshot({ path: join(artifacts, "you-and-your-baby.png"), fullPage: true });
  await assertAccessible(page, "the father's summary");
  await page.goBack();

  // Routine enquiry about abuse: asked of Amara on her own, kept for staff only.
  await page.getByRole("link", { name: "Record a routine enquiry about domestic abuse" }).click();
  await assertAccessible(page, "the routine enquiry form");
  await page.getByRole("group", { name: "Who did you ask?" }).getByLabel("Amara Okafor (mother)").check();
  await page.getByRole("group", { name: "Were they seen on their own?" }).getByLabel("No").check();
  await page.getByLabel("Asked: nothing disclosed").check();
  await page.getByRole("button", { name: "Record the enquiry" }).click();
  assert.match(await page.locator(".nhsuk-error-summary").textContent(), /only when the person is seen on their own/);
  await assertAccessible(page, "the routine enquiry form with an error");
  await page.getByRole("group", { name: "Were they seen on their own?" }).getByLabel("Yes").check();
  await page.getByRole("button", { name: "Record the enquiry" }).click();
  assert.match(await page.getByTestId("timeline").textContent(), /Routine enquiry about domestic abuse[^]*Staff only\s+Never printed or given to anyone in the family/);

  await page.goto(`${demo.cradle.baseUrl}/families?q=Amara`);
  assert.equal(await page.getByTestId("concern-flag").count(), 0, "the flag is gone from the caseload");
  await page.context().close();
});
