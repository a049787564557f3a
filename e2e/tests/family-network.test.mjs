// The family around the baby, as a clinician builds it in the browser: an antenatal family
// with a partner and a grandmother, the birth (with corrected age), the ecomap, and a
// "do not contact" decision that stops Cradle offering contact, and an entry shared in
// confidence that stays out of another family member's printout and out of the summary for
// a session with the mother and grandmother together.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { demoForThisFile, newPage, signIn, artifacts, assertAccessible, fillDate } from "../harness.mjs";

const demo = demoForThisFile();

async function addPerson(page, name, language) {
  await page.getByRole("button", { name: "Add a person" }).or(page.getByRole("link", { name: "Add a person" })).click();
  await page.getByLabel("Full name").fill(name);
  await page.getByLabel("Preferred language (optional)").fill(language);
  await page.getByLabel("Yes, agrees to be contacted").check();
  await page.getByRole("button", { name: "Save" }).click();
}

async function recordRelationship(page, name, kind, care, nature) {
  await page.getByRole("link", { name: `Record a relationship for ${name}` }).click();
  await page.getByLabel(kind, { exact: true }).check();
  await page.getByRole("group", { name: /live with the baby/ }).getByLabel("Yes").check();
  await page.getByLabel(care).check();
  await page.getByLabel("How often do they see the baby?").selectOption("daily");
  await page.getByLabel(nature, { exact: true }).check();
  await page.getByRole("button", { name: "Save relationship" }).click();
}

test("a clinician builds the family around the baby, records the birth and a safety decision", async () => {
  const page = await newPage(demo.browser);
  await signIn(page, demo.cradle.baseUrl, "clinician");
  await page.waitForURL(`${demo.cradle.baseUrl}/`);

  await page.goto(`${demo.cradle.baseUrl}/families/new`);
  await assertAccessible(page, "the new family form");
  await page.getByRole("button", { name: "Save family" }).click();
  assert.match(await page.locator(".nhsuk-error-summary").textContent(), /Enter the mother's full name/);
  await assertAccessible(page, "the new family form with errors");
  await page.getByLabel("Mother's full name").fill("Beatriz Santos");
  await page.getByLabel("Mother's NHS number (optional)").fill("999 123 4667");
  await page.getByLabel("Antenatal").check();
  const due = new Date(Date.now() + 50 * 86400000);
  await fillDate(page, "Due date (if antenatal)", due);
  await page.getByRole("button", { name: "Save family" }).click();
  assert.equal(await page.getByTestId("baby-name").textContent(), "Baby of Beatriz Santos");

  await addPerson(page, "Rui Santos", "Portuguese");
  await addPerson(page, "Maria Costa", "Portuguese");
  await recordRelationship(page, "Rui Santos", "Father", "An equal share", "Supportive");
  await recordRelationship(page, "Maria Costa", "Grandparent", "Some of the care", "Strong");
  await assertAccessible(page, "the family page with people");

  await page.getByRole("link", { name: /Record the birth/ }).click();
  await assertAccessible(page, "the birth form");
  const born = new Date(Date.now() - 21 * 86400000);
  await fillDate(page, "Date of birth", born);
  await page.getByLabel("Weeks").fill("34");
  await page.getByLabel("Days").fill("0");
  await page.getByLabel("Baby's name (optional)").fill("Leonor Santos");
  await page.getByRole("button", { name: "Record the birth" }).click();
  assert.equal(await page.getByTestId("baby-name").textContent(), "Leonor Santos");
  assert.match(await page.getByTestId("baby-dates").textContent(), /3 weeks \(corrected age: 3 weeks before due date\)/);
  const words = await page.getByTestId("ecomap-words").textContent();
  assert.match(words, /Rui Santos: father, relationship with Leonor Santos seen as supportive/);
  assert.match(words, /Maria Costa: grandparent/);
  assert.ok(await page.locator("figure svg[role=img]").isVisible(), "the ecomap is drawn");
  await page.screenshot({ path: join(artifacts, "family-network.png"), fullPage: true });

  // The pregnancy's record became the baby's: what it said before the birth stays viewable.
  await page.getByRole("link", { name: "Earlier versions of Leonor Santos's details" }).click();
  assert.match(await page.getByTestId("earlier-version").textContent(), /Birth recorded/);
  await assertAccessible(page, "the baby's earlier versions");
  await page.goBack();

  await page.getByRole("link", { name: "Record do not contact or do not involve for Rui Santos" }).click();
  await assertAccessible(page, "the do not contact form");
  await page.getByLabel("Do not contact", { exact: true }).check();
  await page.getByLabel("Who made the decision?").fill("Safeguarding lead with Beatriz, seen alone");
  await page.getByLabel("Reason").fill("Beatriz has asked that the team does not contact Rui");
  await fillDate(page, "When should the decision be reviewed?", new Date(Date.now() + 42 * 86400000));
  await page.getByRole("button", { name: "Record the decision" }).click();
  assert.match(await page.getByTestId("safety-marks").textContent(), /Rui Santos: do not contact/);
  const ruiCard = page.getByTestId("person-card").filter({ hasText: "Rui Santos" });
  assert.match(await ruiCard.getByTestId("contact").textContent(), /Not to be contacted by the team/);
  assert.equal(await ruiCard.getByRole("link", { name: /Record do not contact/ }).count(), 0);
  assert.match(await page.getByTestId("ecomap-words").textContent(), /Rui Santos: .*DO NOT CONTACT/);
  await assertAccessible(page, "the family page with a do not contact mark");

  // Something Maria shares in confidence stays out of the mother's printout.
  const secret = "Maria worries she is taking over and has not said so to Beatriz";
  await page.getByText("Add to the timeline", { exact: true }).first().click();
  await page.getByLabel("Who is it about?").selectOption({ label: "Maria Costa" });
  await page.getByLabel("What do you want to record?").fill(secret);
  await page.getByLabel("They shared this in confidence").check();
  await page.getByRole("button", { name: "Add to the timeline" }).click();
  assert.match(await page.getByTestId("timeline").textContent(), /Shared in confidence by Maria Costa/);
  await assertAccessible(page, "the family page with a timeline");

  await page.getByRole("link", { name: "Print a summary for Maria Costa" }).click();
  assert.match(await page.getByTestId("printout-entries").textContent(), /Maria worries she is taking over/);
  await assertAccessible(page, "Maria's printout");
  await page.goBack();
  await page.getByRole("link", { name: "Print a summary for Beatriz Santos" }).click();
  assert.equal(await page.getByTestId("printout-title").textContent(), "Leonor Santos");
  assert.ok(!(await page.content()).includes("Maria worries"), "the confidence is not in the mother's printout");
  await page.screenshot({ path: join(artifacts, "printout.png"), fullPage: true });
  await assertAccessible(page, "the mother's printout");

  // With Beatriz and Maria in the room together, the summary leaves out what Maria shared,
  // and Rui, marked do not contact, is not offered.
  await page.goBack();
  await page.getByRole("link", { name: "summary for a session together" }).first().click();
  await assertAccessible(page, "the form for a summary for a session together");
  assert.equal(await page.getByLabel("Rui Santos").count(), 0, "Rui is not offered");
  await page.getByRole("button", { name: "Show the summary" }).click();
  assert.match(await page.locator(".nhsuk-error-summary").textContent(), /Select everyone who is in the session/);
  await assertAccessible(page, "the summary form with a problem");
  await page.getByLabel("Beatriz Santos").check();
  await page.getByLabel("Maria Costa").check();
  await page.getByRole("button", { name: "Show the summary" }).click();
  assert.equal(await page.getByTestId("printout-for").textContent(), "For Beatriz Santos and Maria Costa");
  assert.ok(!(await page.content()).includes("Maria worries"), "the confidence is not shown with Beatriz there");
  await page.screenshot({ path: join(artifacts, "together.png"), fullPage: true });
  await assertAccessible(page, "the summary for a session together");
  await page.context().close();
});

test("a grandparent already known to the team joins a second family with one record", async () => {
  const page = await newPage(demo.browser);
  await signIn(page, demo.cradle.baseUrl, "clinician");
  await page.waitForURL(`${demo.cradle.baseUrl}/`);

  await page.goto(`${demo.cradle.baseUrl}/families?q=Sofia`);
  await page.getByRole("table").getByRole("link").first().click();
  await page.getByRole("button", { name: "Add a person" }).or(page.getByRole("link", { name: "Add a person" })).click();
  await page.getByRole("link", { name: "Add someone already known to your team" }).click();
  await assertAccessible(page, "the already-known search");
  await page.getByLabel("Their name, or the start of it").fill("T");
  await page.getByRole("button", { name: "Search" }).click();
  assert.match(await page.locator(".nhsuk-error-summary").textContent(), /at least the first 2 letters/);
  await assertAccessible(page, "the already-known search with an error");
  await page.getByLabel("Their name, or the start of it").fill("Tunde");
  await page.getByRole("button", { name: "Search" }).click();
  const found = page.getByTestId("known-person").filter({ hasText: "Tunde Okafor" });
  assert.match(await found.textContent(), /Already in the family of Amara Okafor/);
  await assertAccessible(page, "the people found");
  await found.getByRole("button", { name: "Add Tunde Okafor to this family" }).click();
  assert.ok(
    (await page.getByTestId("person-card").filter({ hasText: "Tunde Okafor" }).count()) === 1,
    "Tunde is now in Sofia's family too",
  );
  await assertAccessible(page, "the family page with a linked person");
  await page.context().close();
});
