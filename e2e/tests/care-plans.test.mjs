// Family-focused care plans: a nursery nurse agrees a plan with two goals (one for the couple,
// one for the grandmother), records seven sessions of which one is a did-not-attend, sees the
// review fall due only after the sixth attended session, records the review with new ratings
// and sees the chart; every page checked with axe-core.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { demoForThisFile, newPage, signIn, artifacts, assertAccessible } from "../harness.mjs";

const demo = demoForThisFile();

function daysAgo(n) {
  const d = new Date();
  d.setDate(d.getDate() - n);
  return { day: String(d.getDate()), month: String(d.getMonth() + 1), year: String(d.getFullYear()) };
}

async function fillDate(page, legend, n) {
  const { day, month, year } = daysAgo(n);
  const group = page.getByRole("group", { name: legend });
  await group.getByLabel("Day").fill(day);
  await group.getByLabel("Month").fill(month);
  await group.getByLabel("Year").fill(year);
}

test("a nursery nurse's plan: two goals, seven sessions with a did-not-attend, the review after the sixth attended, and the chart", async () => {
  const page = await newPage(demo.browser);
  await signIn(page, demo.cradle.baseUrl, "nursery.nurse");
  await page.waitForURL(`${demo.cradle.baseUrl}/`);

  await page.goto(`${demo.cradle.baseUrl}/families?q=Amara`);
  assert.match(await page.getByTestId("next-due").first().textContent(), /No care plan yet/);
  await page.getByRole("table").getByRole("link").first().click();
  const familyUrl = page.url();
  await page.getByRole("link", { name: "Add a person" }).or(page.getByRole("button", { name: "Add a person" })).click();
  await page.getByLabel("Full name").fill("Grace Adebayo");
  await page.getByRole("button", { name: "Save" }).click();

  // The plan.
  await page.getByRole("link", { name: "Agree a care plan" }).click();
  await assertAccessible(page, "the care plan form");
  await page.getByLabel("Nursery nursing plan").check();
  await fillDate(page, "Date the plan was agreed at assessment", 10);
  await page.getByLabel("Number of sessions planned (nursery nursing)").fill("8");
  await page.getByRole("button", { name: "Agree the plan" }).click();
  assert.match(await page.locator(".nhsuk-error-summary").textContent(), /Enter the nursery nursing assessment/);
  await assertAccessible(page, "the care plan form with an error");
  await page.getByLabel("Assessment").fill("Nights are hard; Grace helps and wants to feel confident settling Ada");
  await page.getByLabel("Support after a Mother and Baby Unit stay").check();
  await page.getByRole("button", { name: "Agree the plan" }).click();
  const planUrl = page.url();
  await assertAccessible(page, "the new plan's page");

  // Two goals: the couple's and the grandmother's.
  const goals = [
    { who: ["Amara Okafor (mother)", "Tunde Okafor"], words: "Share the night feeds so we both sleep", rating: "3", by: "Amara Okafor (mother)", second: "5", secondBy: "Tunde Okafor" },
    { who: ["Grace Adebayo"], words: "Feel confident settling Ada on my own", rating: "2", by: "Grace Adebayo" },
  ];
  for (const [n, goal] of goals.entries()) {
    await page.getByRole("link", { name: "Add a goal" }).click();
    if (n === 0) await assertAccessible(page, "the goal form");
    const whose = page.getByRole("group", { name: "Whose goal is it?" });
    for (const who of goal.who) await whose.getByLabel(who).check();
    await page.getByLabel("The goal, in the family's own words").fill(goal.words);
    await page.getByLabel("Sharing the baby's care").check();
    await page.getByLabel("Who agreed the goal").fill("Amara, Tunde and Grace with Tom Baker");
    await page.getByLabel("Where are they now, from 0 (not at all) to 10 (goal reached)?").fill(goal.rating);
    await page.getByRole("group", { name: "Who gave this rating?" }).getByLabel(goal.by).check();
    if (goal.second) {
      // Each partner rates a couple's goal.
      await page.getByLabel(/a second person's starting rating/).fill(goal.second);
      await page.getByRole("group", { name: "Who gave that rating?" }).getByLabel(goal.secondBy).check();
    }
    await page.getByRole("button", { name: "Save the goal" }).click();
  }
  assert.equal(await page.getByTestId("goal").count(), 2);

  // Seven sessions, the third a did-not-attend: the review is not due until the sixth attended.
  const sessions = [9, 8, 7, 6, 5, 4, 3];
  for (const [n, ago] of sessions.entries()) {
    const attended = n !== 2;
    await page.getByRole("link", { name: "Record a session" }).first().click();
    if (n === 0) await assertAccessible(page, "the session form");
    await fillDate(page, "Date of the session", ago);
    await page.getByLabel(attended ? "Attended" : "Did not attend", { exact: true }).check();
    await page.getByLabel("At home").check();
    if (attended) {
      const who = page.getByRole("group", { name: "Who attended?" });
      await who.getByLabel("Amara Okafor (mother)").check();
      await who.getByLabel("Tunde Okafor").check();
      await who.getByLabel("Grace Adebayo").check();
      await page.getByLabel("Seen together").check();
      await page.getByRole("group", { name: "Which goals did it work on?" }).getByLabel(/Goal 1/).check();
    }
    await page.getByRole("button", { name: "Save the session" }).click();
    await page.waitForURL(planUrl);
    const due = await page.getByTestId("review-due").count();
    const attendedSoFar = sessions.slice(0, n + 1).filter((_, i) => i !== 2).length;
    assert.equal(due, attendedSoFar >= 6 ? 1 : 0, `after ${n + 1} sessions (${attendedSoFar} attended)`);
  }
  assert.match(await page.getByTestId("attended").textContent(), /6 attended of 8 planned; 1 not attended or cancelled \(not counted\)/);
  await page.goto(`${demo.cradle.baseUrl}/families?q=Amara`);
  assert.match(await page.getByTestId("next-due").first().textContent(), /Review due/);
  await assertAccessible(page, "the caseload with a review due");

  // The review: both goals rated by their own people.
  await page.goto(planUrl);
  await page.getByTestId("review-due").getByRole("link", { name: "Record the review" }).click();
  await assertAccessible(page, "the review form");
  const first = page.getByRole("group", { name: /^Goal 1:/ });
  await first.getByLabel("Amara Okafor's rating now, from 0 to 10").fill("6");
  await first.getByLabel("Tunde Okafor's rating now, from 0 to 10").fill("7");
  await page.getByLabel("What has changed?").fill("Nights are shared now; Grace settles Ada after her bath");
  await page.getByLabel("Carry on with the plan").check();
  await page.getByRole("button", { name: "Save the review" }).click();
  assert.match(await page.locator(".nhsuk-error-summary").textContent(), /Enter a rating from 0 to 10 for “Feel confident settling Ada on my own”/);
  await assertAccessible(page, "the review form with an error");
  await page.getByRole("group", { name: /^Goal 2:/ }).getByLabel("Grace Adebayo's rating now, from 0 to 10").fill("8");
  await page.getByRole("button", { name: "Save the review" }).click();
  await page.waitForURL(planUrl);

  assert.equal(await page.getByTestId("review-due").count(), 0, "the count starts again");
  await page.getByTestId("goal-chart").scrollIntoViewIfNeeded();
  assert.match(await page.getByTestId("goal-chart").locator("desc").textContent(), /Goal 2, Feel confident settling Ada on my own: 2 at Start .*, 8 at Review 1/);
  assert.match(await page.getByTestId("rating-table").textContent(), /8 \(Grace Adebayo\)/);
  assert.match(await page.getByTestId("rating-table").textContent(), /3 \(Amara Okafor\); 5 \(Tunde Okafor\)/);
  assert.match(await page.getByTestId("goal-chart").locator("desc").textContent(), /Goal 1, Tunde Okafor, Share the night feeds so we both sleep: 5 at Start .*, 7 at Review 1/);
  await page.screenshot({ path: join(artifacts, "care-plan.png"), fullPage: true });
  await assertAccessible(page, "the plan with its chart");

  // On a phone the plan fits the screen: the chart shrinks to it, and each session reads as
  // a card rather than columns a few letters wide.
  await page.setViewportSize({ width: 390, height: 844 });
  const [planWidth, phoneWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(planWidth <= phoneWidth, `the care plan scrolls sideways on a phone (${planWidth} px)`);
  await page.screenshot({ path: join(artifacts, "care-plan-390.png"), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.goto(familyUrl);
  assert.match(await page.getByTestId("care-plan").textContent(), /Carry on with the plan/);
  await assertAccessible(page, "the family page with a care plan");
  await page.context().close();
});
