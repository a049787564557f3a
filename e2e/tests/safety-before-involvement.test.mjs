// Safety before involvement, as a community clinician meets it: what needs attention leads the
// home page; a do not contact / do not involve mark past its review date stays in force and
// asks to be renewed or lifted; an abuse disclosure is shown to staff as staff only and
// printed for no one, not even the mother who disclosed it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { demoForThisFile, newPage, signIn, artifacts, assertAccessible, fillDate } from "../harness.mjs";

const demo = demoForThisFile();

test("a restriction's review falls due: the home page, caseload and family page say so until it is renewed", async () => {
  const page = await newPage(demo.browser);
  await signIn(page, demo.cradle.baseUrl, "clinician");
  await page.waitForURL(`${demo.cradle.baseUrl}/`);
  const attention = page.getByTestId("attention");
  assert.match(await attention.textContent(), /Restriction review overdue\s+Isla Bennett: Darren Hughes/);
  await assertAccessible(page, "the home page with what needs attention");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(artifacts, "home-needs-attention-390.png"), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });

  await page.goto(`${demo.cradle.baseUrl}/families?q=Laura`);
  assert.ok(await page.getByTestId("restriction-review-flag").isVisible());

  await page.goto(`${demo.cradle.baseUrl}/`);
  await attention.getByRole("link", { name: /Isla Bennett: Darren Hughes/ }).click();
  await assertAccessible(page, "the form to renew a decision");
  assert.match(await page.getByTestId("decision-in-force").textContent(), /Review overdue/);
  await page.getByRole("button", { name: "Renew the decision" }).click();
  const summary = await page.locator(".nhsuk-error-summary").textContent();
  assert.match(summary, /Enter who made the decision/);
  assert.match(summary, /Enter the reason for the decision/);
  assert.match(summary, /Enter review date/);
  await assertAccessible(page, "the renewal form with errors");
  await page.getByLabel("Who reviewed the decision?").fill("Safeguarding lead with Laura, seen alone");
  await page.getByLabel("Why it still stands").fill("Laura still wants no contact; the child in need plan continues");
  await fillDate(page, "Next review date", new Date(Date.now() + 56 * 86400000));
  await page.getByRole("button", { name: "Renew the decision" }).click();

  assert.equal(await page.getByTestId("restriction-review-overdue").count(), 0);
  const darren = page.getByTestId("person-card").filter({ hasText: "Darren Hughes" });
  assert.match(await darren.getByTestId("restriction-review").textContent(), /Review by/);
  await darren.getByText("Earlier decisions").click();
  assert.match(await darren.getByTestId("earlier-decisions").textContent(), /Renewed by Priya Shah/);
  await assertAccessible(page, "the family page after the renewal");

  await page.goto(`${demo.cradle.baseUrl}/`);
  assert.doesNotMatch((await page.locator("main").textContent()) ?? "", /Isla Bennett: Darren Hughes/);
});

test("abuse disclosed in a routine enquiry is shown to staff as staff only and printed for no one", async () => {
  const page = await newPage(demo.browser);
  await signIn(page, demo.cradle.baseUrl, "clinician");
  await page.waitForURL(`${demo.cradle.baseUrl}/`);
  await page.goto(`${demo.cradle.baseUrl}/families?q=Amara`);
  await page.getByRole("link", { name: "Ada Okafor" }).click();
  const familyUrl = page.url();

  await page.getByRole("link", { name: "Record a routine enquiry about domestic abuse" }).click();
  await assertAccessible(page, "the routine enquiry form");
  await page.getByLabel("Amara Okafor (mother)").check();
  await page.getByRole("group", { name: "Were they seen on their own?" }).getByLabel("Yes").check();
  await page.getByLabel("Asked: abuse disclosed").check();
  const disclosure = "Described him reading her messages and keeping her bank card";
  const safeContact = "Safe to phone only on Tuesday mornings";
  await page.getByLabel("Notes (optional)").fill(`${disclosure}. ${safeContact}.`);
  await page.getByLabel("Who did they name?").selectOption({ label: "Tunde Okafor" });
  await page.getByRole("group", { name: /Mark the person named/ }).getByLabel("Yes").check();
  await page.getByLabel("Who decided").fill("Priya Shah with Amara, seen alone");
  await page.getByLabel("Why they are not to be involved").fill("Coercive control disclosed");
  await fillDate(page, "When should the decision be reviewed?", new Date(Date.now() + 28 * 86400000));
  await page.getByRole("button", { name: "Record the enquiry" }).click();

  await page.waitForURL(familyUrl);
  const entry = page.getByTestId("timeline").locator("li").filter({ hasText: disclosure });
  assert.match(await entry.textContent(), /Staff only\s+Never printed or given to anyone in the family/);
  assert.match(await page.getByTestId("safety-marks").textContent(), /Tunde Okafor: do not involve/);
  await assertAccessible(page, "the family page with a staff-only disclosure");
  await page.screenshot({ path: join(artifacts, "family-staff-only.png"), fullPage: true });

  for (const [link, what] of [
    ["Print a summary for Amara Okafor", "the mother's printout"],
    ["Print “You and your baby” for Amara Okafor", "the mother's “You and your baby”"],
  ]) {
    await page.goto(familyUrl);
    await page.getByRole("link", { name: link }).click();
    const printed = (await page.locator("main").textContent()) ?? "";
    for (const staffOnly of [disclosure, safeContact, "Coercive control disclosed", "Tunde", "Routine enquiry"]) {
      assert.ok(!printed.includes(staffOnly), `${what} holds staff-only “${staffOnly}”`);
    }
    await assertAccessible(page, what);
  }
  await page.goto(`${familyUrl}/printout/mother`);
  const printout = (await page.locator("main").textContent()) ?? "";
  assert.ok(!printout.includes(disclosure) && !printout.includes("Tunde"));
  await page.screenshot({ path: join(artifacts, "mothers-printout-no-disclosure.png"), fullPage: true });
});

test("the ecomap's names fit their circles and the family page fits a 390 px phone", async () => {
  const page = await newPage(demo.browser);
  await signIn(page, demo.cradle.baseUrl, "clinician");
  await page.waitForURL(`${demo.cradle.baseUrl}/`);
  // A family whose names are long: they must wrap or shorten inside their circles.
  await page.goto(`${demo.cradle.baseUrl}/families/new`);
  await page.getByLabel("Mother's full name").fill("Chloe Adeyinka-Oluwaseun Bankole");
  await page.getByLabel("Antenatal").check();
  await fillDate(page, "Due date (if antenatal)", new Date(Date.now() + 30 * 86400000));
  await page.getByRole("button", { name: "Save family" }).click();
  for (const name of ["Oluwaseun Bartholomew-Fitzgerald", "Grandmother Wilhelmina Featherstonehaugh"]) {
    await page.getByRole("button", { name: "Add a person" }).or(page.getByRole("link", { name: "Add a person" })).click();
    await page.getByLabel("Full name").fill(name);
    await page.getByLabel("Yes, agrees to be contacted").check();
    await page.getByRole("button", { name: "Save" }).click();
  }
  const familyUrl = page.url();
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 844 });
    await page.goto(familyUrl);
    const misfits = await page.evaluate(() => {
      const out = [];
      for (const group of document.querySelectorAll("[data-ecomap-node]")) {
        const circle = group.querySelector("circle");
        const cx = circle.cx.baseVal.value, cy = circle.cy.baseVal.value, r = circle.r.baseVal.value;
        for (const text of group.querySelectorAll("text")) {
          const box = text.getBBox();
          for (const [x, y] of [[box.x, box.y], [box.x + box.width, box.y], [box.x, box.y + box.height], [box.x + box.width, box.y + box.height]]) {
            if (Math.hypot(x - cx, y - cy) > r + 1) out.push(`${text.textContent} leaves its circle`);
          }
        }
        if (!group.querySelector("title")?.textContent) out.push("a circle without its full name as a tooltip");
      }
      return [...new Set(out)];
    });
    assert.deepEqual(misfits, [], `at ${width} px`);
    const [scrollWidth, innerWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(scrollWidth <= innerWidth, `the family page scrolls sideways at ${width} px (${scrollWidth})`);
    const drawn = await page.getByTestId("ecomap").locator("svg").boundingBox();
    assert.ok(drawn.width >= Math.min(340, width - 60), `the ecomap is drawn ${drawn.width} px wide at ${width} px`);
    await assertAccessible(page, `the family page at ${width} px`);
  }
  await page.screenshot({ path: join(artifacts, "family-ecomap-390.png"), fullPage: false });
  await page.getByTestId("ecomap").scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifacts, "family-ecomap-390-picture.png") });
});

test("after a disclosure each step is settled from the family page; a child, an interpreter and the timeline's order as a clinician meets them", async () => {
  const page = await newPage(demo.browser);
  await signIn(page, demo.cradle.baseUrl, "clinician");
  await page.waitForURL(`${demo.cradle.baseUrl}/`);
  // A disclosure by the mother of a second family opens its steps.
  await page.goto(`${demo.cradle.baseUrl}/families?q=Ewa`);
  await page.getByRole("link", { name: "Zofia Kowalska" }).click();
  const familyUrl = page.url();
  // Piotr needs a Polish interpreter: the family page says so on the ecomap.
  assert.match(await page.getByTestId("ecomap-words").textContent(), /Piotr Kowalski: .*needs an interpreter for Polish/);
  await page.getByRole("link", { name: "Record a routine enquiry about domestic abuse" }).click();
  // Ewa needs a Polish interpreter too: her choice says so, and the enquiry records the
  // professional interpreter used, never a relative.
  await page.getByLabel("Ewa Kowalska (mother; interpreter needed: Polish)").check();
  await page.getByRole("group", { name: "Were they seen on their own?" }).getByLabel("Yes").check();
  assert.match(await page.getByTestId("interpreter-guidance").textContent(), /Never ask a partner, relative or friend to interpret/);
  await page.getByRole("group", { name: "Was an interpreter used?" }).getByLabel("Yes").check();
  assert.equal(await page.getByLabel("If so, in which language?").inputValue(), "Polish");
  await page.getByLabel("By telephone").check();
  await page.getByLabel("Asked: abuse disclosed").check();
  await page.getByLabel("Notes (optional)").fill("Disclosed abuse by a former partner, not in the record");
  await page.getByRole("button", { name: "Record the enquiry" }).click();
  await page.waitForURL(familyUrl);
  const steps = page.getByTestId("after-disclosure");
  assert.equal(await steps.getByText("Not yet settled").count(), 5);
  await assertAccessible(page, "the family page with steps after a disclosure");
  await steps.getByRole("link", { name: "Record Risk assessment" }).click();
  await assertAccessible(page, "the form to settle a step");
  await page.getByLabel("Yes, it has been done").check();
  await page.getByRole("button", { name: "Save" }).click();
  assert.match(await page.locator(".nhsuk-error-summary").textContent(), /Enter the name of the risk assessment form used/);
  await assertAccessible(page, "the form to settle a step with errors");
  await page.getByLabel("If done: which risk assessment form was used").fill("SafeLives DASH RIC");
  await page.getByLabel("The risk assessment's result, as given").fill("9 ticks: standard risk");
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(familyUrl);
  assert.equal(await page.getByTestId("after-disclosure").getByText("Not yet settled").count(), 4);
  assert.match(await page.getByTestId("after-disclosure").textContent(), /Done: SafeLives DASH RIC\. 9 ticks: standard risk/);
  await page.goto(`${demo.cradle.baseUrl}/`);
  assert.match(await page.getByTestId("attention").textContent(), /After a disclosure\s+Zofia Kowalska/);
  await page.goto(`${demo.cradle.baseUrl}/families?q=Ewa`);
  assert.ok(await page.getByTestId("disclosure-flag").isVisible());
  assert.match(await page.getByTestId("interpreter").first().textContent(), /Interpreter needed: Polish/);
  assert.match(await page.getByRole("row").filter({ hasText: "Zofia Kowalska" }).getByRole("cell").nth(2).textContent(), /Ewa Kowalska Interpreter needed: Polish/);
  // On a phone the caseload reads as one card a family and fits the screen.
  const desk = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${demo.cradle.baseUrl}/families`);
  const [caseloadWidth, phoneWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(caseloadWidth <= phoneWidth, `the caseload scrolls sideways on a 390 px phone (${caseloadWidth} px)`);
  await page.screenshot({ path: join(artifacts, "caseload-390.png"), fullPage: true });
  if (desk) await page.setViewportSize(desk);

  // The timeline, newest first: today's enquiry above the birth weeks ago.
  await page.goto(familyUrl);
  const timeline = (await page.getByTestId("timeline").textContent()) ?? "";
  assert.ok(timeline.indexOf("Routine enquiry about domestic abuse") < timeline.indexOf("Zofia Kowalska was born"), "newest first");
  assert.match(timeline, /Interpreter: Polish, by telephone\./);
  assert.match(await page.getByTestId("mother-interpreter").textContent(), /Interpreter needed: Polish/);
  await page.screenshot({ path: join(artifacts, "family-after-disclosure.png"), fullPage: true });
  await page.close();

  // A four-year-old sibling on the ward is offered nothing written for adults.
  const ward = await newPage(demo.browser);
  await signIn(ward, demo.cradle.baseUrl, "mbu.clinician");
  await ward.waitForURL(`${demo.cradle.baseUrl}/`);
  await ward.goto(`${demo.cradle.baseUrl}/families?q=Chloe`);
  await ward.getByRole("link", { name: "Rory Brennan" }).click();
  const niamh = ward.getByTestId("person-card").filter({ hasText: "Niamh Brennan" });
  assert.match(await niamh.getByTestId("age").textContent(), /4 years old .*A child/);
  for (const offer of [/Partner pathway/, /Complete a questionnaire/, /Print a summary/, /You and your baby/]) {
    assert.equal(await niamh.getByRole("link", { name: offer }).count(), 0, `${offer} offered to a child`);
  }
  await assertAccessible(ward, "the ward family with a child");
});
