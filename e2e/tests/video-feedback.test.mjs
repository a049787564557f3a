// Video feedback, as a video-feedback practitioner meets it: consent to film recorded for the
// father and, for the baby, by those with parental responsibility; a short film made by
// ffmpeg (a test pattern, a tone and a marker) uploaded through the page with the connection
// cut part-way, resumed, played and sought; the film never readable on the server's disk;
// consent withdrawn and the film refused at once.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoForThisFile, newPage, signIn, artifacts, assertAccessible, fillDate } from "../harness.mjs";

const demo = demoForThisFile();
const MARKER = "CRADLE-E2E-FILM-MARKER-5d1c";

/** A film of about 2 MB: a moving test pattern, a tone, and the marker in its metadata. */
function testFilm() {
  const folder = mkdtempSync(join(tmpdir(), "cradle-film-"));
  const film = join(folder, "bath-time.mp4");
  execFileSync("ffmpeg", [
    "-loglevel", "error", "-y",
    "-f", "lavfi", "-i", "testsrc=duration=8:size=640x360:rate=25",
    "-f", "lavfi", "-i", "sine=frequency=440:duration=8",
    "-metadata", `comment=${MARKER}`,
    "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "2M", "-pix_fmt", "yuv420p",
    "-c:a", "aac", "-movflags", "+faststart", "-shortest", film,
  ]);
  return film;
}

function filesUnder(folder) {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test("consent to film, an upload cut off and resumed, playback with seeking, and withdrawal stopping it at once", async () => {
  const film = testFilm();
  const filmBytes = readFileSync(film);
  assert.ok(filmBytes.includes(Buffer.from(MARKER)), "the marker is in the film");
  const page = await newPage(demo.browser);
  await signIn(page, demo.cradle.baseUrl, "clinician");
  await page.goto(`${demo.cradle.baseUrl}/families?q=Amara`);
  await page.locator("main a[href^='/families/0']").first().click();
  const familyUrl = page.url().split("#")[0];

  // Consent first: the father on film, the mother and he consenting for the baby.
  await page.getByRole("link", { name: "Record consent to film" }).click();
  await assertAccessible(page, "the consent to film form");
  await page.getByRole("button", { name: "Record consent" }).click();
  assert.match(await page.locator(".nhsuk-error-summary").textContent(), /Select who will be on film with the baby/);
  await assertAccessible(page, "the consent to film form with errors");
  await page.locator("#on_film").getByLabel("Tunde Okafor").check();
  await page.locator("#for_baby").getByLabel("Amara Okafor (mother)").check();
  await page.locator("#for_baby").getByLabel("Tunde Okafor").check();
  await page.getByLabel("The family's own video feedback sessions").check();
  await page.getByLabel("The practitioner and their supervisor only").check();
  await page.getByLabel("In writing, on the signed consent form").check();
  await fillDate(page, "Date consent ends", new Date(Date.now() + 180 * 86400000));
  await page.getByRole("button", { name: "Record consent" }).click();
  const card = page.getByTestId("filming-consent-card");
  assert.match(await card.textContent(), /Consent to film Tunde Okafor with Ada Okafor\s*In force/);

  // The upload: the first attempt is cut off after part of the film reaches the server.
  await page.getByRole("link", { name: "Upload a recording" }).click();
  await assertAccessible(page, "the upload page");
  let cut = 0;
  await page.route("**/recordings/*/upload", async (route) => {
    const request = route.request();
    if (request.method() === "PATCH" && cut === 0) {
      cut += 1;
      const body = request.postDataBuffer();
      // What a dropped connection leaves: the server has the first part only.
      await route.fetch({ postData: body.subarray(0, Math.floor(body.length * 0.6)) }).catch(() => {});
      await route.abort("connectionreset");
      return;
    }
    await route.continue();
  });
  await page.getByRole("radio", { name: "The family's own video feedback sessions", exact: true }).check();
  await page.locator("#on_film").getByLabel("Tunde Okafor").check();
  await page.getByLabel("What the recording shows").fill("Bath time at home");
  await page.locator("input[type=file]").setInputFiles(film);
  await page.getByRole("button", { name: "Upload the recording" }).click();
  await page.waitForURL(/#video$/, { timeout: 60_000 });
  assert.equal(cut, 1, "the first attempt was cut off");
  // The connection this test cut is logged as such; nothing else may be.
  page.consoleErrors = page.consoleErrors.filter((e) => !e.includes("ERR_CONNECTION_RESET"));
  const recording = page.getByTestId("recording").filter({ hasText: "Bath time at home" });
  assert.match(await recording.textContent(), /Ready to view/);
  await assertAccessible(page, "the family page with a recording");

  // Nothing of the film rests readable on the server's disk.
  const stored = filesUnder(join(demo.cradle.dataDir, "recordings"));
  assert.ok(stored.length > 0, "the film is stored");
  for (const file of stored) {
    assert.ok(!readFileSync(file).includes(Buffer.from(MARKER)), `${file} holds the film unsealed`);
  }

  // Played, then sought: the video reports the new position and decodes frames there.
  await recording.getByRole("link", { name: /Watch/ }).click();
  const watchUrl = page.url().split("?")[0];
  await assertAccessible(page, "choosing what the recording is watched for");
  await page.getByLabel("The family's own video feedback sessions").check();
  await page.getByRole("button", { name: "Watch the recording" }).click();
  const video = page.getByTestId("recording-video");
  await video.evaluate((v) => new Promise((ok, fail) => {
    if (v.readyState >= 1) ok();
    v.addEventListener("loadedmetadata", ok);
    v.addEventListener("error", () => fail(new Error(`the video failed: ${v.error?.code}`)));
  }));
  assert.ok(Math.abs((await video.evaluate((v) => v.duration)) - 8) < 0.5, "the whole film's length");
  const sought = await video.evaluate((v) => new Promise((ok) => {
    v.addEventListener("seeked", () => ok(v.currentTime), { once: true });
    v.currentTime = 5.5;
  }));
  assert.ok(Math.abs(sought - 5.5) < 0.2, `sought to ${sought}`);
  const frames = await video.evaluate((v) => new Promise((ok) => {
    v.muted = true;
    v.requestVideoFrameCallback((_, meta) => { v.pause(); ok(meta.presentedFrames); });
    v.play();
  }));
  assert.ok(frames > 0, "frames were decoded after seeking");
  await page.screenshot({ path: join(artifacts, "recording-watched.png"), fullPage: true });
  await assertAccessible(page, "the recording playing");
  const filmAddress = await video.getAttribute("src");
  const poster = await page.request.get(`${demo.cradle.baseUrl}${await video.getAttribute("poster")}`);
  assert.equal(poster.status(), 200);
  assert.equal(poster.headers()["content-type"], "image/jpeg");

  // A file that is not a film, named as one: refused by its content once it arrives, with
  // the reason, and nothing of it kept.
  await page.goto(familyUrl);
  await page.getByRole("link", { name: "Upload a recording" }).click();
  await page.getByRole("radio", { name: "The family's own video feedback sessions", exact: true }).check();
  await page.locator("#on_film").getByLabel("Tunde Okafor").check();
  await page.getByLabel("What the recording shows").fill("Not really a film");
  await page.locator("input[type=file]").setInputFiles({
    name: "IMG_0001.MP4",
    mimeType: "video/mp4",
    buffer: Buffer.from("Notes from Tuesday's visit, saved under the wrong name.\n".repeat(500)),
  });
  await page.getByRole("button", { name: "Upload the recording" }).click();
  const status = page.locator("[data-upload-status]");
  await page.locator("[data-upload-progress][data-state=refused]").waitFor({ timeout: 30_000 });
  assert.match(await status.textContent(), /The recording was not taken\. This file is not a video Cradle can accept/);
  assert.match(await status.textContent(), /Nothing of this upload was kept/);
  // Shown as a problem at the top of the page, in the NHS error summary, which takes focus.
  const problem = page.locator(".nhsuk-error-summary");
  assert.match(await problem.textContent(), /There is a problem\s*The recording was not taken\. This file is not a video/);
  assert.ok(await problem.evaluate((el) => el === document.activeElement), "the summary has focus");
  assert.ok(await page.locator("[data-upload-resume]").isHidden(), "nothing to resume");
  await page.screenshot({ path: join(artifacts, "recording-refused-upload.png"), fullPage: true });
  await assertAccessible(page, "an upload refused by its content");
  // The refused upload's 422 is logged by the browser as a failed request; nothing else may be.
  page.consoleErrors = page.consoleErrors.filter((e) => !e.includes("422"));

  // Consent withdrawn: the film is refused at once, on the page and to the player.
  await page.goto(familyUrl);
  await card.getByRole("link", { name: /Withdraw consent/ }).click();
  await assertAccessible(page, "the withdrawal form");
  await page.getByLabel("Why was consent withdrawn?").fill("Tunde asked for the filming to stop");
  await page.getByRole("button", { name: "Withdraw consent" }).click();
  assert.match(await card.textContent(), /Withdrawn/);
  const refused = await page.request.get(`${demo.cradle.baseUrl}${filmAddress}`);
  assert.equal(refused.status(), 409);
  assert.match(await refused.text(), /withdrawn/);
  assert.match(await recording.textContent(), /Consent withdrawn: not to be viewed/);
  assert.equal(await recording.getByRole("link", { name: /Watch/ }).count(), 0);
  await page.goto(`${watchUrl}?purpose=family_care`);
  assert.match(await page.getByTestId("recording-refused").textContent(), /Consent to film was withdrawn/);
  assert.equal(await page.getByTestId("recording-video").count(), 0);
  await assertAccessible(page, "a recording refused after withdrawal");
  await page.close();
});
