// Every page a member of staff can reach by following links in the demonstration, for each
// role: it must open (no dead link, no error page), pass axe-core's WCAG 2.2 AA checks and log
// no console error (a Content-Security-Policy violation shows there). The tests written
// around one task check the pages that task passes through; this sweep finds the pages no
// task reaches, such as an earlier version of a record or a printout of a family with a
// person marked "do not involve".

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

// Every family's own page is opened; the pages within a family's record (the same path with
// other ids) up to this many times each, so every kind of page is seen with several families'
// data without opening every family's every page.
const SAME_SHAPE_AT_MOST = 4;
const EVERY_ONE = new Set(["/families/:id"]);
// Links that are not pages: the API and its description, pictures and downloads.
const NOT_A_PAGE = [/^\/api\//, /^\/static\//, /\.(svg|css|js|json|png|ico|csv)$/];

function shapeOf(path) {
  return path
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ":id")
    .replace(/\?.*$/, "");
}

/** Follows every link on the site from the home page, as `username`; answers the pages seen. */
async function sweep(username) {
  const page = await newPage(chromium.browser);
  await signIn(page, cradle.baseUrl, username);
  await page.waitForURL(`${cradle.baseUrl}/`);
  const origin = new URL(cradle.baseUrl).origin;
  const queue = ["/"];
  const queued = new Set(queue);
  const shapes = new Map();
  const problems = [];
  const seen = [];
  while (queue.length > 0) {
    const path = queue.shift();
    const response = await page.goto(`${cradle.baseUrl}${path}`);
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
  await page.context().close();
  return { seen, problems, shapes: [...shapes.keys()] };
}

test("every page a nursery nurse can reach opens, is accessible and logs no error", async () => {
  const { seen, problems, shapes } = await sweep("nursery.nurse");
  assert.deepEqual(problems, [], `pages with problems, of ${seen.length} opened`);
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
  console.log(`opened ${seen.length}; shapes ${shapes.length}: ${shapes.join(" ")}`);
});

test("every page a team manager and an administrator can reach opens, is accessible and logs no error", async () => {
  for (const username of ["manager", "admin", "mbu.nurse"]) {
    const { seen, problems } = await sweep(username);
    assert.deepEqual(problems, [], `${username}: pages with problems, of ${seen.length} opened`);
    assert.ok(seen.length > 3, `${username}: the sweep opened ${seen.length} pages`);
    console.log(`${username} opened ${seen.length}`);
  }
});
