// Every page a member of staff can reach by following links in the demonstration, for each
// role: it must open (no dead link, no error page), pass axe-core's WCAG 2.2 AA checks and log
// no console error (a Content-Security-Policy violation shows there). The tests written
// around one task check the pages that task passes through; this sweep finds the pages no
// task reaches, such as an earlier version of a record or a printout of a family with a
// person marked "do not involve". Then every form found on the way is sent twice, first with
// its text fields emptied, then with something typed in each: a refused form must answer with
// the NHS error summary, each of its links must lead to a field on the page, what was typed
// must still be in its field, and the page must pass the same checks. No form may name a field
// with one answer twice (Cradle would refuse it as unreadable).

import { test } from "node:test";
import assert from "node:assert/strict";
import { demoForThisFile, newPage, accessibilityViolations, signIn } from "../harness.mjs";

const demo = demoForThisFile();

// Every family's own page is opened; the pages within a family's record (the same path with
// other ids) up to this many times each, so every kind of page is seen with several families'
// data without opening every family's every page.
const SAME_SHAPE_AT_MOST = 4;
const EVERY_ONE = new Set(["/families/:id"]);
// Links that are not pages: the API and its description, pictures and downloads.
const NOT_A_PAGE = [/^\/api\//, /^\/static\//, /\.(svg|css|js|json|png|ico|csv)$/];
const TEXT_FIELDS =
  "input[type=text], input:not([type]), textarea, input[type=email], input[type=tel], input[type=number]";

function shapeOf(path) {
  return path
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ":id")
    .replace(/\?.*$/, "");
}

/** Follows every link on the site from the home page; answers the pages seen and forms found. */
async function sweep(page) {
  const origin = new URL(demo.cradle.baseUrl).origin;
  const queue = ["/"];
  const queued = new Set(queue);
  const shapes = new Map();
  const problems = [];
  const seen = [];
  const forms = [];
  while (queue.length > 0) {
    const path = queue.shift();
    const response = await page.goto(`${demo.cradle.baseUrl}${path}`);
    const status = response?.status();
    seen.push(path);
    if (status !== 200) {
      problems.push(`${path}: answered ${status}`);
      continue;
    }
    if (!(response.headers()["content-type"] ?? "").startsWith("text/html")) {
      continue;
    }
    for (const violation of await accessibilityViolations(page)) {
      problems.push(`${path}: ${violation}`);
    }
    for (const error of page.consoleErrors.splice(0)) {
      problems.push(`${path}: console error ${error}`);
    }
    const found = await page.$$eval(
      "form",
      (all, fields) =>
        all.map((form, index) => ({
          index,
          post: (form.getAttribute("method") ?? "").toLowerCase() === "post",
          action: form.getAttribute("action") ?? "",
          fields: form.querySelectorAll(fields).length,
          // Cradle reads a form into typed fields: a field with one answer named twice in a
          // form would be refused, so only ticked boxes, radios and buttons may share a name.
          named_twice: [
            ...Object.entries(
              [...form.elements]
                .filter((e) => e.name && !["checkbox", "radio", "submit", "button"].includes(e.type))
                .reduce((counts, e) => ({ ...counts, [e.name]: (counts[e.name] ?? 0) + 1 }), {}),
            ),
          ]
            .filter(([, count]) => count > 1)
            .map(([name]) => name),
        })),
      TEXT_FIELDS,
    );
    for (const form of found) {
      if (form.post && form.fields > 0) forms.push({ path, index: form.index, action: form.action });
      if (form.named_twice.length > 0) problems.push(`${path}: form ${form.index} names ${form.named_twice.join(", ")} twice`);
    }
    const links = await page.$$eval("a[href]", (anchors) => anchors.map((a) => a.href));
    for (const link of links) {
      const url = new URL(link);
      if (url.origin !== origin) continue;
      const next = url.pathname + url.search;
      if (queued.has(next) || NOT_A_PAGE.some((pattern) => pattern.test(url.pathname))) continue;
      const shape = shapeOf(next);
      const count = shapes.get(shape) ?? 0;
      if (count >= SAME_SHAPE_AT_MOST && !EVERY_ONE.has(shape)) continue;
      shapes.set(shape, count + 1);
      queued.add(next);
      queue.push(next);
    }
  }
  return { seen, problems, shapes: [...shapes.keys()], forms };
}

/**
 * Sends each kind of form found by the sweep (once for each page and action shape) with every
 * visible text field set by `typing` (its type in, what to type out); answers the problems
 * found and how many forms were refused and saved.
 */
async function sendForms(page, forms, typing) {
  const problems = [];
  const sent = new Set();
  let refused = 0;
  let saved = 0;
  for (const { path, index, action } of forms) {
    const kind = `${shapeOf(path)} → ${shapeOf(action || path)}`;
    if (sent.has(kind)) continue;
    sent.add(kind);
    await page.goto(`${demo.cradle.baseUrl}${path}`);
    // A form folded away (such as adding to the timeline) is opened as a person would.
    await page.$$eval("details", (all) => all.forEach((details) => (details.open = true)));
    const form = page.locator("form").nth(index);
    const typed = [];
    for (const field of await form.locator(TEXT_FIELDS).all()) {
      if (!(await field.isVisible())) continue;
      const value = typing(await field.getAttribute("type"));
      await field.fill(value);
      typed.push([await field.getAttribute("name"), value]);
    }
    // A recording's upload form is sent by its script (the answers first, then the film), which
    // shows the page's answer in place rather than navigating.
    const scripted = await form.evaluate((f) => f.hasAttribute("data-recording-upload"));
    const sentTo = new URL(action || path, demo.cradle.baseUrl).pathname;
    const [response] = await Promise.all([
      scripted
        ? page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === sentTo)
        : page.waitForNavigation(),
      form.locator("button[type=submit], button:not([type])").first().click(),
    ]);
    const status = response?.status();
    if (scripted && status === 422) await page.waitForSelector(".nhsuk-error-summary");
    if (status === 200) {
      saved += 1;
      continue;
    }
    if (status !== 422) {
      problems.push(`${kind}: answered ${status}`);
      continue;
    }
    refused += 1;
    const summary = await page.$$eval(".nhsuk-error-summary__list a", (links) =>
      links.map((link) => [link.getAttribute("href"), link.textContent.trim(), document.querySelector(link.getAttribute("href")) !== null]),
    );
    if (summary.length === 0) problems.push(`${kind}: refused without an error summary`);
    for (const [href, message, leads] of summary) {
      if (!leads) problems.push(`${kind}: "${message}" leads to ${href}, which is not on the page`);
    }
    for (const [name, value] of typed) {
      const now = await page.$$eval(`[name="${name}"]`, (fields) => fields.map((field) => field.value));
      if (now.length > 0 && !now.includes(value)) problems.push(`${kind}: ${name} lost what was typed (${JSON.stringify(now)})`);
    }
    for (const violation of await accessibilityViolations(page)) problems.push(`${kind}: ${violation}`);
    for (const error of page.consoleErrors.splice(0)) problems.push(`${kind}: console error ${error}`);
  }
  return { problems, sent: sent.size, refused, saved };
}

/** The whole check for one role: the link sweep, then its forms sent empty and then typed in. */
async function checkAsRole(username) {
  const page = await newPage(demo.browser);
  await signIn(page, demo.cradle.baseUrl, username);
  await page.waitForURL(`${demo.cradle.baseUrl}/`);
  const swept = await sweep(page);
  const empty = await sendForms(page, swept.forms, () => "");
  const typed = await sendForms(page, swept.forms, (type) => (type === "number" ? "4242" : "Kept 42 <b>&amp;</b>"));
  await page.context().close();
  return { ...swept, empty, typed };
}

test("every page and form a nursery nurse can reach: opens, accessible, bad input explained and kept", async () => {
  const { seen, problems, shapes, empty, typed } = await checkAsRole("nursery.nurse");
  assert.deepEqual(problems, [], `pages with problems, of ${seen.length} opened`);
  assert.deepEqual(empty.problems, [], "forms sent empty");
  assert.deepEqual(typed.problems, [], "forms sent typed in");
  // The sweep must really have reached the record's depths, not stopped at the home page.
  for (const shape of [
    "/families",
    "/families/:id",
    "/families/:id/plans/:id",
    "/families/:id/plans/:id/sessions/new",
    "/families/:id/plans/:id/reviews/new",
    "/families/:id/printout/:id",
    "/families/:id/history/baby/:id",
    "/groups/:id/sessions/:id/register",
  ]) {
    assert.ok(shapes.includes(shape), `the sweep reached ${shape} (reached: ${shapes.join(", ")})`);
  }
  assert.ok(seen.length > 100, `the sweep opened ${seen.length} pages`);
  // Every form that asks for something refuses it empty; more than twenty kinds are reached.
  assert.ok(empty.sent > 20, `${empty.sent} kinds of form sent`);
  assert.equal(empty.refused, empty.sent, "every form sent empty was refused");
  console.log(`opened ${seen.length} pages of ${shapes.length} shapes; ${empty.sent} kinds of form; typed in: ${typed.refused} refused, ${typed.saved} saved`);
});

test("every page and form a team manager, an administrator and ward staff can reach", async () => {
  for (const username of ["manager", "admin", "mbu.nurse"]) {
    const { seen, problems, empty, typed } = await checkAsRole(username);
    assert.deepEqual(problems, [], `${username}: pages with problems, of ${seen.length} opened`);
    assert.deepEqual(empty.problems, [], `${username}: forms sent empty`);
    assert.deepEqual(typed.problems, [], `${username}: forms sent typed in`);
    assert.equal(empty.refused, empty.sent, `${username}: every form sent empty was refused`);
    assert.ok(seen.length > 3 && empty.sent > 0, `${username}: opened ${seen.length} pages, sent ${empty.sent} kinds of form`);
    console.log(`${username}: opened ${seen.length} pages; ${empty.sent} kinds of form; typed in: ${typed.refused} refused, ${typed.saved} saved`);
  }
});
