// Screenshots of a built dotwork site for the README: each building block
// as it shows on its page, and whole first screens at phone and desktop
// sizes, as a visitor's browser (headless Chromium) draws them.
//
//   node tools/screenshots/shoot.mjs SITE_DIR OUT_DIR [SHOTS_JSON]
//
// SHOTS_JSON (default shots.json beside this script) lists the shots:
// {name, page, selector (null: the first screen), width, height, scale}.
// testimonial.json shoots the block the example clinic does not use, from
// the blocks fixture (tests/fixtures/blocks, built).
//
// Uses puppeteer-core from tools/quality (run `npm ci` there first, or
// tools/quality/run once) and CHROME_PATH (default /usr/bin/chromium).
// Pages are opened from file:// URLs: a built site's links are relative.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../quality/package.json', import.meta.url));
const puppeteer = require('puppeteer-core');

const [site, out, shots] = process.argv.slice(2);
if (!site || !out) {
  console.error('usage: node tools/screenshots/shoot.mjs SITE_DIR OUT_DIR');
  process.exit(2);
}
fs.mkdirSync(out, { recursive: true });

// [file name, page, CSS selector of the element to show (null: the first screen)]
const SHOTS = JSON.parse(fs.readFileSync(shots ?? new URL('./shots.json', import.meta.url), 'utf8'));

const browser = await puppeteer.launch({
  executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--force-color-profile=srgb'],
});
let failed = 0;
try {
  const page = await browser.newPage();
  for (const { name, page: rel, selector, width = 900, height = 900, scale = 1 } of SHOTS) {
    await page.setViewport({ width, height, deviceScaleFactor: scale });
    const file = path.resolve(site, rel);
    if (!fs.existsSync(file)) {
      console.error(`screenshots: ${rel} is not in ${site}`);
      failed++;
      continue;
    }
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    const target = path.join(out, `${name}.png`);
    if (selector) {
      const el = await page.$(selector);
      if (!el) {
        console.error(`screenshots: no ${selector} on ${rel}`);
        failed++;
        continue;
      }
      await el.scrollIntoView();
      await el.screenshot({ path: target });
    } else {
      await page.screenshot({ path: target });
    }
    console.log(`screenshots: ${target}`);
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
