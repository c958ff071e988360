// The web chat page in a real browser: Debian's chromium driven by playwright-core.
// Starts the daemon on port 0, loads the page, types a message, waits for the reply
// bubble, checks that a reload resumes the same conversation, and saves screenshots.
// usage: node browser_chat.js BOUNCEBACK_BINARY CONFIG SCREENSHOT_DIR
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require(path.join(__dirname, "..", "peers", "node_modules", "playwright-core"));

const [binary, config, screenshots] = process.argv.slice(2);
const deadline = setTimeout(() => fail("the browser test took longer than 90 s"), 90000);
let daemon = null, browser = null;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bounceback-browser-"));

function fail(why) {
  console.error("FAILED: " + why);
  cleanup().finally(() => process.exit(1));
}

async function cleanup() {
  clearTimeout(deadline);
  if (browser) await browser.close().catch(() => {});
  if (daemon) daemon.kill("SIGTERM");
  fs.rmSync(dataDir, { recursive: true, force: true });
}

function startDaemon() {
  return new Promise((resolve, reject) => {
    daemon = spawn(binary, ["run", "--config", config, "--set", "http.listen=127.0.0.1:0", "--set", "data_dir=" + dataDir],
                   { stdio: ["ignore", "pipe", "pipe"], cwd: path.dirname(path.dirname(config)) });
    let log = "";
    const onData = (chunk) => {
      log += chunk;
      const m = log.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) resolve(Number(m[1]));
    };
    daemon.stdout.on("data", onData);
    daemon.stderr.on("data", onData);
    daemon.on("exit", (code) => reject(new Error("the daemon exited with " + code + ":\n" + log)));
  });
}

(async () => {
  const port = await startDaemon();
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage({ viewport: { width: 390, height: 760 } });  // a phone
  const url = "http://127.0.0.1:" + port + "/";
  await page.goto(url);
  await page.waitForSelector("#status:has-text('online')", { timeout: 15000 });
  await page.waitForSelector(".bubble.bot", { timeout: 15000 });
  const before = await page.locator(".bubble.bot").count();

  await page.fill("#text", "Today was hard, but I went for a walk.");
  await page.keyboard.press("Enter");
  await page.waitForSelector(".bubble.me:has-text('went for a walk')", { timeout: 10000 });
  await page.waitForFunction((n) => document.querySelectorAll(".bubble.bot").length > n, before, { timeout: 15000 });
  const reply = await page.locator(".bubble.bot").last().textContent();
  if (!reply || !reply.trim()) fail("the reply bubble is empty");
  fs.mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, "web-chat.png"), fullPage: true });

  // A reload resumes with the token kept in localStorage: the same person, no new welcome.
  const token = await page.evaluate(() => localStorage.getItem("bounceback.token"));
  if (!token) fail("no token kept in localStorage");
  await page.reload();
  await page.waitForSelector("#status:has-text('online')", { timeout: 15000 });
  const tokenAfter = await page.evaluate(() => localStorage.getItem("bounceback.token"));
  if (tokenAfter !== token) fail("the reload started a new conversation instead of resuming");
  // The conversation so far is still on the screen, with the open question's buttons.
  await page.waitForSelector(".bubble.me:has-text('went for a walk')", { timeout: 5000 });
  const buttons = await page.locator(".choices button:not([disabled])").count();
  if (buttons === 0) fail("after the reload the open question has no buttons");

  // Tapping a button answers the question: the next question appears.
  await page.locator(".choices button:not([disabled])").first().click();
  await page.waitForSelector(".bubble:has-text('What would you like me to call you?')", { timeout: 10000 });
  await page.screenshot({ path: path.join(screenshots, "web-chat-resumed.png"), fullPage: true });

  // The mood chart: "/mood 2" keeps a mood, "/mood" shows the two weeks as an inline SVG,
  // one bar for today and a dot for each day without an entry.
  const say = async (words) => {
    const n = await page.locator(".bubble.bot").count();
    await page.fill("#text", words);
    await page.keyboard.press("Enter");
    await page.waitForFunction((k) => document.querySelectorAll(".bubble.bot").length > k, n, { timeout: 10000 });
  };
  await say("/mood 2");
  await say("/mood");
  const chart = page.locator(".bubble.bot").last().locator("svg.mood-chart");
  await chart.waitFor({ timeout: 5000 });
  const bars = await chart.locator("rect").count(), dots = await chart.locator("circle").count();
  if (bars !== 1 || dots !== 13) fail("the mood chart has " + bars + " bars and " + dots + " dots, not 1 and 13");
  const label = await chart.getAttribute("aria-label");
  if (!label || !label.includes("14 days, 1 with an entry")) fail("the mood chart is not labelled: " + label);
  const around = await page.locator(".bubble.bot").last().textContent();
  if (!around.includes("How are you feeling right now?")) fail("the text around the chart is lost: " + around);
  await page.screenshot({ path: path.join(screenshots, "web-chat-mood.png"), fullPage: true });

  // Typing instead of tapping retires the buttons shown before: only the newest row (the
  // open question's, carried by the answer) may be tapped.
  await say("/journal a good walk today");
  const rows = page.locator(".choices");
  const newest = await rows.last().locator("button:not([disabled])").count();
  const live = await page.locator(".choices button:not([disabled])").count();
  if (newest === 0) fail("the open question lost its buttons after a typed message");
  if (live !== newest) fail((live - newest) + " buttons of earlier questions are still tappable after a typed message");

  // Every message shows the time it was shown or sent.
  const bubbles = await page.locator(".bubble").count(), stamped = await page.locator(".bubble time").count();
  if (stamped !== bubbles) fail((bubbles - stamped) + " of " + bubbles + " messages show no time");
  if (!/^\d{1,2}:\d{2}/.test((await page.locator(".bubble time").last().textContent()).trim()))
    fail("the time is not written as hours and minutes");

  // A celebration carries one 🎉, not one from the stylesheet and one from the text.
  await say("/goal tidy the flat");
  await say("/step clear the desk");
  await say("/step sort the post");
  await say("/done 1");
  await say("/done 2");  // the goal complete: a celebration whose text has its own 🎉
  const party = page.locator(".bubble.kind-celebration").last();
  await party.waitFor({ timeout: 5000 });
  const partyText = await party.evaluate((el) => getComputedStyle(el, "::before").content + "|" + el.textContent);
  const parties = (partyText.match(/🎉/gu) || []).length;
  if (parties !== 1) fail("a celebration shows " + parties + " 🎉: " + partyText);

  // On a desktop the chat is a centred column, not a line across the whole screen.
  await page.setViewportSize({ width: 1400, height: 900 });
  const box = await page.locator(".bubble.bot").last().boundingBox();
  const composer = await page.locator("#text").boundingBox();
  if (!box || box.x < 250) fail("on a wide screen the messages start at " + (box && box.x) + " px, not in a centred column");
  if (!composer || composer.width > 800) fail("on a wide screen the text field is " + (composer && composer.width) + " px wide");
  await page.screenshot({ path: path.join(screenshots, "web-chat-desktop.png"), fullPage: true });

  console.log("browser chat: reply shown (" + reply.trim().slice(0, 40) + "...), resumed after reload, mood chart drawn; screenshots in " +
              screenshots);
  await cleanup();
  process.exit(0);
})().catch((e) => fail(e.stack || String(e)));
