// Starts Cradle with demonstration data on a free port and opens Debian's Chromium.
// Every page a test visits is checked with axe-core (WCAG 2.2 AA rules) and for console
// errors, which is how a Content-Security-Policy violation would show itself.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { createHmac } from "node:crypto";
import { chromium } from "playwright-core";
import { before, after } from "node:test";
import assert from "node:assert/strict";

const require = createRequire(import.meta.url);
const axeSource = require("axe-core").source;
const here = dirname(fileURLToPath(import.meta.url));
export const artifacts = join(here, "artifacts");
export const DEMO_PASSWORD = "cradle-demo-2026";
/** The demonstration administrator's second-factor key (crates/cradle-app/src/demo.rs). */
export const DEMO_ADMIN_KEY = "GNZGCZDMMVSGK3LPMRSWG3DBNZSWC4TE";

export async function startCradle() {
  const binary = process.env.CRADLE_BIN ?? join(here, "..", "target", "debug", "cradle");
  const dataDir = mkdtempSync(join(tmpdir(), "cradle-e2e-"));
  const env = { ...process.env, CRADLE_LOG: "warn" };
  delete env.CRADLE_DATABASE_URL;
  const child = spawn(binary, ["demo", "--listen", "127.0.0.1:0", "--data-dir", dataDir], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const baseUrl = await new Promise((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => reject(new Error(`Cradle did not start: ${stdout}${stderr}`)), 120_000);
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const match = stdout.match(/listening on (http:\/\/[0-9.:]+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on("exit", (code) => reject(new Error(`Cradle exited with ${code}: ${stderr}`)));
  });
  return {
    baseUrl,
    dataDir,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// Playwright gives every launch a fresh, empty profile folder of its own.
export async function openBrowser() {
  mkdirSync(artifacts, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

/** A page that records console errors, so a test can assert there were none. */
export async function newPage(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.consoleErrors = [];
  page.on("console", (message) => {
    // A page answered with 401, 403 or 404 is logged as a failed load: that is the page's
    // own status, which the tests check; anything else (a CSP violation, a script error) counts.
    const text = message.text();
    if (message.type() === "error" && !text.startsWith("Failed to load resource: the server responded with a status of 4")) {
      page.consoleErrors.push(text);
    }
  });
  page.on("pageerror", (error) => page.consoleErrors.push(String(error)));
  return page;
}

/** Fails the test if the page has accessibility violations or logged an error (a CSP violation shows there). */
export async function assertAccessible(page, what) {
  assert.deepEqual(await accessibilityViolations(page), [], `${what} has accessibility violations`);
  assert.deepEqual(page.consoleErrors, [], `${what} logged errors`);
}

/** Types `date` into the day, month and year boxes of the date field whose legend is `legend`. */
export async function fillDate(page, legend, date) {
  const group = page.getByRole("group", { name: legend });
  await group.getByLabel("Day").fill(String(date.getDate()));
  await group.getByLabel("Month").fill(String(date.getMonth() + 1));
  await group.getByLabel("Year").fill(String(date.getFullYear()));
}

/** Runs axe-core on the current page against WCAG 2.x A and AA (including 2.2) rules. */
export async function accessibilityViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] } }),
  );
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

/**
 * The 6-digit code an authenticator app shows for a base32 key (RFC 6238: HMAC-SHA1, 30-second
 * steps), computed here independently of Cradle, as the person's phone would.
 */
export function authenticatorCode(key, at = Date.now()) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of key.replace(/\s|=/g, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const bytes = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const step = Buffer.alloc(8);
  step.writeBigUInt64BE(BigInt(Math.floor(at / 30000)));
  const digest = createHmac("sha1", bytes).update(step).digest();
  const offset = digest[19] & 0x0f;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, "0");
}

/**
 * Enters the code for `key` on a page that asks for one and presses `button`. Cradle accepts a
 * code once: if it was used already in this 30-second step (an earlier sign-in), waits for the
 * next step and enters that one.
 */
export async function enterCode(page, key, button) {
  for (let attempt = 0; attempt < 2; attempt++) {
    await page.locator("#code").fill(authenticatorCode(key));
    await page.getByRole("button", { name: button }).click();
    if (!(await page.locator(".nhsuk-error-summary").count())) return;
    await new Promise((resolve) => setTimeout(resolve, 30000 - (Date.now() % 30000) + 500));
  }
}

export async function signIn(page, baseUrl, username, password = DEMO_PASSWORD) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  if (username === "admin") {
    await page.getByRole("heading", { name: "Enter your code" }).waitFor();
    await enterCode(page, DEMO_ADMIN_KEY, "Sign in");
  }
}

/**
 * For a test file: Cradle with demonstration data and Chromium, started before its tests and
 * stopped after them. Read `cradle` and `browser` from the answer once the tests run.
 */
export function demoForThisFile() {
  const started = { cradle: undefined, browser: undefined };
  let opened;
  before(async () => {
    started.cradle = await startCradle();
    opened = await openBrowser();
    started.browser = opened.browser;
  });
  after(async () => {
    await opened?.close();
    await started.cradle?.stop();
  });
  return started;
}
