#!/usr/bin/env node
// The checks of the quality gate. Started by ./run, which installs what is
// needed, starts the two static servers and cleans up afterwards.
//
//   node check.mjs --site DIR --sub-url URL --root-url URL --run-dir DIR
//                  [--no-lighthouse] [--report-dir DIR]
//
// Exit status: 0 all checks passed, 1 some check failed, 2 could not run.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { performance as perf } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const HERE = path.dirname(new URL(import.meta.url).pathname);

// ---------------------------------------------------------------- settings
const CHROME_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';
// Flags every Chromium we start gets (the machine has no network but the
// package registries: keep Chromium from trying to reach anything).
const CHROME_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
const AXE_VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'mobile', width: 375, height: 812 },
];
// The first screen of a phone (issue 13): <main> must start within its top
// third, so a visitor sees content, not only the header and the menu.
const FIRST_SCREEN = { width: 390, height: 844, mainTopMax: Math.floor(844 / 3) };
const LH_CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];
// Image audits that weigh nothing in the scores but must pass all the same
// (issue 11): a page could score 100 with oversized or unsized images.
const LH_IMAGE_AUDITS = ['uses-responsive-images', 'modern-image-formats', 'unsized-images',
  'uses-optimized-images', 'offscreen-images', 'lcp-lazy-loaded', 'prioritize-lcp-image'];
const T = {
  vnu: secs('QUALITY_VNU_TIMEOUT', 300),
  nav: secs('QUALITY_NAV_TIMEOUT', 30),
  axe: secs('QUALITY_AXE_TIMEOUT', 60),
  fetch: secs('QUALITY_FETCH_TIMEOUT', 15),
  lighthouse: secs('QUALITY_LH_TIMEOUT', 180),
  launch: secs('QUALITY_LAUNCH_TIMEOUT', 60),
};
const MAX_LINES = Number(process.env.QUALITY_MAX_DETAIL || 25); // detail lines per page and tool

function secs(name, dflt) {
  const v = Number(process.env[name]);
  return (Number.isFinite(v) && v > 0 ? v : dflt) * 1000;
}

// ---------------------------------------------------------------- arguments
const opts = { lighthouse: true };
{
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    const k = a[i];
    if (k === '--no-lighthouse') opts.lighthouse = false;
    else if (['--site', '--sub-url', '--root-url', '--run-dir', '--report-dir'].includes(k)) {
      opts[k.slice(2).replace(/-(.)/g, (_, c) => c.toUpperCase())] = a[++i];
    } else {
      console.error(`check.mjs: unknown argument ${k}`);
      process.exit(2);
    }
  }
  for (const k of ['site', 'subUrl', 'rootUrl', 'runDir']) {
    if (!opts[k]) {
      console.error(`check.mjs: missing --${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`);
      process.exit(2);
    }
  }
  opts.site = fs.realpathSync(opts.site);
  if (opts.reportDir) fs.mkdirSync(opts.reportDir, { recursive: true });
}
const MOUNTS = [
  { key: 'sub', base: opts.subUrl, label: new URL(opts.subUrl).pathname },
  { key: 'root', base: opts.rootUrl, label: new URL(opts.rootUrl).pathname },
];

// ---------------------------------------------------------------- output helpers
const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const c = (code) => (s) => (tty ? `\x1b[${code}m${s}\x1b[0m` : String(s));
const red = c('31'), green = c('32'), yellow = c('33'), bold = c('1'), dim = c('2');
const out = (s = '') => process.stdout.write(s + '\n');
const since = (t0) => `${((perf.now() - t0) / 1000).toFixed(1)}s`;
function limited(lines, indent) {
  const shown = lines.slice(0, MAX_LINES).map((l) => indent + l);
  if (lines.length > MAX_LINES) shown.push(`${indent}... and ${lines.length - MAX_LINES} more`);
  return shown.join('\n');
}
function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000}s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------- pages
function findHtml(dir, rel = '') {
  const found = [];
  for (const ent of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    if (ent.name.startsWith('.')) continue;
    const r = rel ? `${rel}/${ent.name}` : ent.name;
    if (ent.isDirectory()) found.push(...findHtml(dir, r));
    else if (ent.isFile() && /\.html?$/i.test(ent.name)) found.push(r);
  }
  return found;
}
// "a/index.html" -> "a/", "a/b.html" -> "a/b.html", "index.html" -> ""
function urlPathOf(rel) {
  const p = rel.split('/').map(encodeURIComponent).join('/');
  return p === 'index.html' ? '' : p.endsWith('/index.html') ? p.slice(0, -'index.html'.length) : p;
}
const pages = findHtml(opts.site).sort((a, b) => a.localeCompare(b));
if (pages.length === 0) {
  console.error(`quality: no .html files in ${opts.site}`);
  process.exit(2);
}

// results[rel][tool] = { ok: bool, cell: 'short text', detail: [lines] }
const TOOLS = ['vnu', 'axe', 'first-screen', 'links:sub', 'links:root', 'lighthouse'];
const results = Object.fromEntries(pages.map((p) => [p, {}]));
function record(rel, tool, ok, cell, detail = []) {
  results[rel][tool] = { ok, cell, detail };
}

// ---------------------------------------------------------------- cleanup of browsers
const browsers = new Set();
function killBrowser(b) {
  const proc = b.process && b.process();
  if (proc && proc.pid) {
    try {
      process.kill(-proc.pid, 'SIGKILL'); // puppeteer starts Chromium as a process-group leader
    } catch {
      try {
        proc.kill('SIGKILL');
      } catch { /* gone */ }
    }
  }
}
async function closeBrowser(b) {
  browsers.delete(b);
  try {
    await withTimeout(b.close(), 10000, 'closing Chromium');
  } catch {
    killBrowser(b);
  }
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    for (const b of browsers) killBrowser(b);
    console.error(`\nquality: interrupted (${sig})`);
    process.exit(sig === 'SIGINT' ? 130 : 124);
  });
}

let puppeteer;
let profileCount = 0;
async function launchBrowser() {
  puppeteer ??= (await import('puppeteer-core')).default;
  const userDataDir = path.join(opts.runDir, `chrome-profile-${++profileCount}`);
  fs.mkdirSync(userDataDir, { recursive: true });
  const browser = await puppeteer.launch({
    executablePath: CHROME_PATH,
    // puppeteer adds --headless=new itself for headless: true
    headless: true,
    args: CHROME_FLAGS.filter((f) => f !== '--headless'),
    userDataDir,
    timeout: T.launch,
    protocolTimeout: Math.max(T.lighthouse, T.axe) + 30000,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    pipe: false,
  });
  browsers.add(browser);
  return browser;
}

// ---------------------------------------------------------------- 1. vnu
async function runVnu() {
  const jar = path.join(HERE, 'node_modules/vnu-jar/build/dist/vnu.jar');
  const files = pages.map((p) => path.join(opts.site, p));
  const messages = [];
  for (let i = 0; i < files.length; i += 400) {
    const chunk = files.slice(i, i + 400);
    const args = ['-Xss8m', '-jar', jar, '--errors-only', '--format', 'json', '--exit-zero-always', ...chunk];
    const { code, stdout, stderr, timedOut } = await new Promise((resolve) => {
      const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let so = '', se = '', to = false;
      child.stdout.on('data', (d) => (so += d));
      child.stderr.on('data', (d) => (se += d));
      const timer = setTimeout(() => {
        to = true;
        child.kill('SIGKILL');
      }, T.vnu);
      child.on('error', (e) => {
        clearTimeout(timer);
        resolve({ code: -1, stdout: so, stderr: String(e), timedOut: false });
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout: so, stderr: se, timedOut: to });
      });
    });
    if (timedOut) throw new Error(`vnu timed out after ${T.vnu / 1000}s`);
    // vnu writes its JSON report to stderr
    const text = stderr.trim() || stdout.trim();
    let json;
    try {
      json = JSON.parse(text.slice(text.indexOf('{')));
    } catch {
      throw new Error(`vnu failed (exit ${code}): ${text.slice(0, 2000)}`);
    }
    messages.push(...(json.messages || []));
  }
  const byFile = Object.fromEntries(pages.map((p) => [p, []]));
  const other = [];
  for (const m of messages) {
    if (m.type !== 'error' && m.type !== 'non-document-error') continue;
    let rel = null;
    if (m.url && m.url.startsWith('file:')) {
      rel = path.relative(opts.site, decodeURIComponent(new URL(m.url).pathname)).split(path.sep).join('/');
    }
    const where = m.lastLine ? `${m.lastLine}:${m.firstColumn ?? m.lastColumn ?? 0}` : '-';
    const line = `${where.padEnd(8)} ${m.message}${m.extract ? dim(`  «${m.extract.replace(/\s+/g, ' ').trim().slice(0, 80)}»`) : ''}`;
    if (rel && byFile[rel]) byFile[rel].push(line);
    else other.push(line);
  }
  if (other.length) throw new Error(`vnu reported errors it could not attach to a page:\n${other.join('\n')}`);
  for (const p of pages) {
    const n = byFile[p].length;
    record(p, 'vnu', n === 0, n === 0 ? 'ok' : `${n} error${n > 1 ? 's' : ''}`, byFile[p]);
  }
}

// ---------------------------------------------------------------- 2. pages in the browser: links + axe
// Collects every reference a page makes and every id it defines (runs in the page).
function collectRefs() {
  const ATTRS = new Set(['href', 'src', 'srcset', 'poster', 'xlink:href']);
  const refs = [];
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (tag === 'base') continue;
    for (const at of el.attributes) {
      const name = at.name.toLowerCase();
      const isData = name === 'data' && tag === 'object';
      if (!ATTRS.has(name) && !isData) continue;
      const raw = at.value;
      const values = name === 'srcset'
        ? raw.split(',').map((s) => s.trim().split(/\s+/)[0]).filter(Boolean)
        : [raw.trim()];
      for (const v of values) {
        let resolved = null;
        try {
          resolved = new URL(v, document.baseURI).href;
        } catch { /* reported as invalid */ }
        refs.push({ tag, attr: name, value: v, resolved });
      }
    }
  }
  const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
  const names = [...document.querySelectorAll('a[name]')].map((e) => e.getAttribute('name'));
  return { refs, ids: [...ids, ...names] };
}

async function visit(browser, url, { withAxe }) {
  const page = await browser.newPage();
  const failedRequests = [];
  try {
    await page.setBypassCSP(true);
    await page.setViewport({ width: 1280, height: 800 });
    page.on('response', (r) => {
      if (r.status() >= 400) failedRequests.push({ url: r.url(), why: String(r.status()) });
    });
    page.on('requestfailed', (r) => {
      failedRequests.push({ url: r.url(), why: r.failure()?.errorText || 'failed' });
    });
    const resp = await page.goto(url, { waitUntil: 'load', timeout: T.nav });
    const status = resp ? resp.status() : 0;
    const finalUrl = page.url();
    const { refs, ids } = await withTimeout(page.evaluate(collectRefs), T.nav, 'collecting links');
    let axe = null;
    if (withAxe) {
      const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
      await page.evaluate(axeSource);
      // Once per viewport: layouts (and so target sizes, contrast over
      // images, hidden menus) change with the width.
      const merged = new Map();
      const incomplete = new Set();
      for (const vp of AXE_VIEWPORTS) {
        await page.setViewport({ width: vp.width, height: vp.height });
        const r = await withTimeout(
          page.evaluate(
            (tags) => window.axe.run(document, {
              runOnly: { type: 'tag', values: tags },
              resultTypes: ['violations'],
            }).then((res) => ({
              violations: res.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                nodes: v.nodes.map((n) => n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' >>> ')),
              })),
              incomplete: res.incomplete.map((v) => `${v.id} (${v.nodes.length} node${v.nodes.length > 1 ? 's' : ''}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' >>> ')).join(', ')}${v.nodes.length > 3 ? ', ...' : ''})`),
            })),
            AXE_TAGS,
          ),
          T.axe,
          `axe (${vp.name})`,
        );
        for (const id of r.incomplete) incomplete.add(id);
        for (const v of r.violations) {
          const m = merged.get(v.id) || { ...v, nodes: [], viewports: [] };
          m.viewports.push(vp.name);
          for (const n of v.nodes) if (!m.nodes.includes(n)) m.nodes.push(n);
          merged.set(v.id, m);
        }
      }
      axe = { violations: [...merged.values()], incomplete: [...incomplete] };
    }
    let firstScreen = null;
    if (withAxe) {
      await page.setViewport({ width: FIRST_SCREEN.width, height: FIRST_SCREEN.height });
      firstScreen = await withTimeout(page.evaluate(() => {
        window.scrollTo(0, 0);
        const main = document.querySelector('main');
        return main ? { mainTop: Math.round(main.getBoundingClientRect().top + window.scrollY) } : { mainTop: null };
      }), T.nav, 'measuring the first screen');
    }
    return { status, finalUrl, refs, ids, axe, firstScreen, failedRequests };
  } finally {
    await page.close().catch(() => {});
  }
}

const stripHash = (u) => u.split('#')[0];

async function fetchStatus(url) {
  try {
    const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(T.fetch) });
    await res.arrayBuffer();
    return { status: res.status, finalUrl: res.url };
  } catch (e) {
    return { status: 0, finalUrl: url, error: e.name === 'TimeoutError' ? 'timeout' : e.message };
  }
}

async function pool(items, n, fn) {
  const queue = [...items];
  await Promise.all(Array.from({ length: Math.min(n, queue.length) }, async () => {
    while (queue.length) await fn(queue.shift());
  }));
}

// The site's own base path, from the canonical link of the home page
// ("https://example.org/clinic/" -> "/clinic/"); "/" when there is none.
function siteBasePath() {
  if (process.env.QUALITY_SITE_BASE) return process.env.QUALITY_SITE_BASE;
  try {
    const html = fs.readFileSync(path.join(opts.site, 'index.html'), 'utf8');
    for (const tag of html.match(/<link\b[^>]*>/gi) || []) {
      if (!/\brel\s*=\s*["']?[^"'>]*\bcanonical\b/i.test(tag)) continue;
      const href = tag.match(/\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i);
      if (href) return new URL(href[1] ?? href[2] ?? href[3], 'http://x/').pathname;
    }
  } catch { /* no home page */ }
  return '/';
}

// 404.html is what a host sends for ANY missing URL, at any depth, so its
// links cannot be relative: dotwork writes them absolute from the path of
// base_url. It is therefore checked the way a visitor meets it (at a missing
// URL several folders deep), and only on the mount whose path is the site's
// base path; elsewhere its cells read "n/a". QUALITY_STRICT_404=1 checks it
// on every mount.
const NOT_FOUND = '404.html';
const SITE_BASE = siteBasePath();
const MISSING_URL = 'quality-gate/no-such-page/';
function checks404On(mount) {
  if (process.env.QUALITY_STRICT_404) return true;
  return !MOUNTS.some((m) => m.label === SITE_BASE) || mount.label === SITE_BASE;
}
// axe runs on the sub-path mount, except for 404.html when that mount is not its own.
function axeOn(rel, mount) {
  if (rel !== NOT_FOUND || checks404On(MOUNTS[0])) return mount === MOUNTS[0];
  return mount === MOUNTS.find((m) => checks404On(m));
}

// The target of a redirect page (an alias, a section's page/1/), or null.
function redirectOf(rel) {
  return fs.readFileSync(path.join(opts.site, rel), 'utf8').match(/<meta http-equiv="refresh" content="0; url=([^"]+)">/);
}

async function checkMount(browser, mount) {
  const origin = new URL(mount.base).origin;
  const tool = `links:${mount.key}`;
  const visits = {};
  for (const rel of pages) {
    if (rel === NOT_FOUND && !checks404On(mount)) {
      record(rel, tool, null, 'n/a', [`404.html links are absolute from the site's base path ${SITE_BASE}; checked under ${SITE_BASE} only`]);
      continue;
    }
    const url = mount.base + (rel === NOT_FOUND ? MISSING_URL : urlPathOf(rel));
    // A redirect page (an alias, a section's page/1/) leaves before it can be
    // inspected: its target must answer 200; axe sees the target as a page.
    const refresh = redirectOf(rel);
    if (refresh) {
      const target = new URL(refresh[1].replace(/&amp;/g, '&'), url).href;
      const code = (await fetchStatus(target)).status;
      record(rel, tool, code === 200, code === 200 ? 'ok (redirect)' : 'FAIL', code === 200 ? [] : [`redirects to ${target}, which answered ${code}`]);
      if (axeOn(rel, mount)) record(rel, 'axe', null, 'n/a', ['a redirect page; its target is checked']);
      continue;
    }
    try {
      visits[rel] = await visit(browser, url, { withAxe: axeOn(rel, mount) });
      visits[rel].url = url;
    } catch (e) {
      visits[rel] = { error: e.message, url };
    }
  }
  // ids per final page URL, for #fragment checks
  const idsByUrl = {};
  for (const v of Object.values(visits)) if (v.finalUrl) idsByUrl[stripHash(v.finalUrl)] = new Set(v.ids);

  // status of every same-origin URL referenced anywhere
  const targets = new Set();
  for (const v of Object.values(visits)) {
    for (const r of v.refs || []) {
      if (r.resolved && new URL(r.resolved).origin === origin && stripHash(r.resolved) !== stripHash(v.finalUrl)) targets.add(stripHash(r.resolved));
    }
  }
  const status = {};
  await pool([...targets], 8, async (u) => (status[u] = await fetchStatus(u)));

  const show = (u) => (u.startsWith(origin) ? u.slice(origin.length) : u);
  for (const rel of Object.keys(visits)) {
    const v = visits[rel];
    if (v.error) {
      record(rel, tool, false, 'error', [`could not load ${v.url}: ${v.error}`]);
      if (axeOn(rel, mount)) record(rel, 'axe', false, 'error', [`could not load ${v.url}: ${v.error}`]);
      continue;
    }
    const broken = [];
    const want = rel === NOT_FOUND ? 404 : 200;
    if (rel === NOT_FOUND) broken.push(dim(`(loaded as a visitor meets it: ${show(v.url)})`));
    if (v.status !== want) broken.push(`the page itself answered ${v.status}, not ${want}`);
    let checked = 0;
    const seen = new Set();
    for (const r of v.refs) {
      const desc = `<${r.tag} ${r.attr}="${r.value}">`;
      if (!r.resolved) {
        broken.push(`${desc} is not a valid URL`);
        continue;
      }
      const u = new URL(r.resolved);
      if (!['http:', 'https:'].includes(u.protocol)) continue; // mailto:, tel:, data:, javascript:
      if (u.origin !== origin) continue; // other sites: not checked (no network)
      const key = `${r.attr} ${r.resolved}`;
      if (seen.has(key)) continue;
      seen.add(key);
      checked++;
      const frag = decodeURIComponent(u.hash.slice(1));
      if (stripHash(r.resolved) === stripHash(v.finalUrl)) { // same document: "#id" or ""
        if (frag && frag.toLowerCase() !== 'top' && !v.ids.includes(frag)) broken.push(`${desc} -> no element with id "${frag}" on this page`);
        continue;
      }
      const st = status[stripHash(r.resolved)];
      if (!st || st.status !== 200) {
        broken.push(`${desc} -> ${show(stripHash(r.resolved))} (${st ? st.error || st.status : 'not checked'})`);
        continue;
      }
      // fragment must name an element of the target page (#top and # always work)
      if (frag && frag.toLowerCase() !== 'top') {
        const ids = idsByUrl[stripHash(st.finalUrl)];
        if (ids && !ids.has(frag)) broken.push(`${desc} -> no element with id "${frag}" on ${show(stripHash(st.finalUrl))}`);
      }
    }
    // resources the browser failed to load that no attribute names (CSS url(), fetches, ...)
    for (const f of v.failedRequests) {
      const fu = new URL(f.url);
      if (fu.origin !== origin) continue;
      if (stripHash(f.url) === stripHash(v.url) || stripHash(f.url) === stripHash(v.finalUrl)) continue; // the page itself
      // Chromium asks for /favicon.ico at the origin root by itself when a
      // page names no icon; that is the host's business, not the page's.
      if (fu.pathname === '/favicon.ico' && !v.refs.some((r) => r.resolved === f.url)) continue;
      if (v.refs.some((r) => r.resolved && stripHash(r.resolved) === stripHash(f.url))) continue;
      broken.push(`(loaded by the page) ${show(f.url)} (${f.why})`);
    }
    const n = broken.length - (rel === NOT_FOUND ? 1 : 0);
    record(rel, tool, n === 0, n === 0 ? `ok (${checked})` : `${n} broken`, n === 0 ? [] : broken);
    if (axeOn(rel, mount)) {
      if (!v.axe) {
        record(rel, 'axe', false, 'error', ['axe did not run']);
      } else {
        const lines = [];
        if (mount !== MOUNTS[0]) lines.push(dim(`(run under ${mount.label}, the site's base path)`));
        for (const viol of v.axe.violations) {
          lines.push(`${bold(viol.id)} (${viol.impact}) ${viol.help} — ${viol.nodes.length} node${viol.nodes.length > 1 ? 's' : ''} [${viol.viewports.join(', ')}]`);
          for (const node of viol.nodes.slice(0, 8)) lines.push(`    ${node}`);
          if (viol.nodes.length > 8) lines.push(`    ... and ${viol.nodes.length - 8} more`);
        }
        if (v.axe.incomplete.length) lines.push(dim(`needs manual review (not counted): ${v.axe.incomplete.join(', ')}`));
        const nv = v.axe.violations.length;
        record(rel, 'axe', nv === 0, nv === 0 ? 'ok' : `${nv} violation${nv > 1 ? 's' : ''}`, lines);
      }
      const top = v.firstScreen && v.firstScreen.mainTop;
      const okTop = top !== null && top !== undefined && top <= FIRST_SCREEN.mainTopMax;
      record(rel, 'first-screen', okTop, top === null || top === undefined ? 'no <main>' : `main at ${top}px`,
        okTop ? [] : [`<main> starts at ${top}px at ${FIRST_SCREEN.width}x${FIRST_SCREEN.height}: more than a third of the screen (${FIRST_SCREEN.mainTopMax}px) is header and menu`]);
    }
  }
}

// ---------------------------------------------------------------- 4. Lighthouse
async function lighthouseOnce(rel) {
  const lighthouse = (await import('lighthouse')).default;
  const url = opts.subUrl + urlPathOf(rel);
  const browser = await launchBrowser(); // a fresh Chromium and profile per run
  try {
    const page = await browser.newPage();
    const flags = {
      logLevel: 'error',
      output: opts.reportDir ? 'html' : 'json',
      onlyCategories: LH_CATEGORIES,
      maxWaitForLoad: 60000,
    };
    const result = await withTimeout(lighthouse(url, flags, undefined, page), T.lighthouse, `Lighthouse on ${url}`);
    if (!result) throw new Error('Lighthouse returned nothing');
    const lhr = result.lhr;
    const scores = {};
    for (const cat of LH_CATEGORIES) {
      const cr = lhr.categories[cat];
      scores[cat] = cr && cr.score !== null ? Math.round(cr.score * 100) : null;
    }
    const total = LH_CATEGORIES.reduce((t, k) => t + (scores[k] ?? 0), 0);
    const misses = [];
    for (const cat of LH_CATEGORIES) {
      for (const ref of lhr.categories[cat]?.auditRefs || []) {
        const a = lhr.audits[ref.id];
        if (a && a.score !== null && a.score < 1 && (ref.weight > 0 || (cat === 'performance' && ref.group === 'metrics'))) {
          misses.push(`${a.id}${a.displayValue ? ` ${a.displayValue}` : ''}`);
        }
      }
    }
    const imageMisses = LH_IMAGE_AUDITS.map((id) => lhr.audits[id])
      .filter((a) => a && a.score !== null && a.score < 1)
      .map((a) => `${a.id}${a.displayValue ? ` ${a.displayValue}` : ''}`);
    misses.push(...imageMisses);
    const ok = !lhr.runtimeError && total === 100 * LH_CATEGORIES.length && imageMisses.length === 0;
    return { lhr, report: result.report, scores, total, misses, imageMisses, ok };
  } finally {
    await closeBrowser(browser);
  }
}

// Lighthouse's simulated throttling multiplies what the CPU really took, so a
// busy 2-core machine can cost a point of performance on a page without any
// script. A page under 100 is run again (QUALITY_LH_ATTEMPTS, default 3, in
// all) and its best run counts; every run's scores are printed.
const LH_ATTEMPTS = Math.max(1, Number(process.env.QUALITY_LH_ATTEMPTS || 3));
const ABBR = { performance: 'P', accessibility: 'A', 'best-practices': 'BP', seo: 'SEO' };
const cellOf = (scores) => LH_CATEGORIES.map((k) => `${ABBR[k]}${scores[k] ?? '-'}`).join(' ');

async function runLighthouse(rel) {
  const runs = [];
  let best = null;
  for (let i = 0; i < LH_ATTEMPTS && !(best && best.ok); i++) {
    const r = await lighthouseOnce(rel);
    runs.push(r);
    if (!best || r.total > best.total) best = r;
  }
  const { lhr, scores } = best;
  if (opts.reportDir) {
    const base = path.join(opts.reportDir, `lighthouse-${rel.replace(/[^a-z0-9]+/gi, '_')}`);
    fs.writeFileSync(`${base}.html`, best.report);
    fs.writeFileSync(`${base}.json`, JSON.stringify(lhr, null, 1));
  }
  const lines = [];
  if (runs.length > 1) lines.push(dim(`runs: ${runs.map((r) => cellOf(r.scores) + (r.misses.length ? ` [${r.misses.join(', ')}]` : '')).join(' | ')} (the best counts)`));
  if (lhr.runtimeError) lines.push(`runtime error: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
  for (const cat of LH_CATEGORIES) {
    if (scores[cat] === 100) continue;
    const cr = lhr.categories[cat];
    lines.push(`${bold(cat)} ${scores[cat] ?? 'n/a'}`);
    for (const ref of cr ? cr.auditRefs : []) {
      const a = lhr.audits[ref.id];
      if (!a || a.score === null || a.score >= 1) continue;
      if (ref.weight === 0 && cat !== 'performance') continue;
      if (cat === 'performance' && ref.group !== 'metrics') continue;
      lines.push(`    ${a.id}: ${a.title}${a.displayValue ? ` (${a.displayValue})` : ''} score ${Math.round(a.score * 100)}`);
    }
  }
  for (const m of best.imageMisses) lines.push(`image audit: ${m}`);
  record(rel, 'lighthouse', best.ok, cellOf(scores), lines);
  return { scores, runs: runs.length };
}

// ---------------------------------------------------------------- main
function printDetails(tool, title) {
  let fails = 0;
  for (const rel of pages) {
    const r = results[rel][tool];
    if (!r || r.ok === null) continue;
    if (!r.ok) {
      fails++;
      out(`  ${red('FAIL')} ${rel}: ${r.cell}`);
      if (r.detail.length) out(limited(r.detail, '       '));
    } else if (r.detail.length && tool === 'axe') {
      out(`  ${green('ok')}   ${rel}`);
      out(limited(r.detail, '       '));
    }
  }
  if (!fails) out(`  ${green('ok')}: no ${title} on ${pages.length} page${pages.length > 1 ? 's' : ''}`);
}

const startAll = perf.now();
let infraFailure = false;
out(bold('dotwork quality gate'));
out(`site:    ${opts.site} (${pages.length} HTML file${pages.length > 1 ? 's' : ''})`);
out(`served:  ${opts.subUrl}  and  ${opts.rootUrl}`);
out(`chrome:  ${CHROME_PATH}`);
out(`base:    the site's own base path is ${SITE_BASE} (canonical link of index.html; 404.html is bound to it)`);
out('');

// 1. vnu
{
  const t0 = perf.now();
  out(bold(`[1/4] Nu HTML checker (vnu ${require('vnu-jar/package.json').version}), errors only`));
  try {
    await runVnu();
    printDetails('vnu', 'errors');
  } catch (e) {
    infraFailure = true;
    out(`  ${red('ERROR')} ${e.message}`);
    for (const p of pages) record(p, 'vnu', false, 'error', [e.message]);
  }
  out(dim(`  (${since(t0)})`));
  out('');
}

// 2+3. links on both mounts, axe on the sub-path mount
{
  const t0 = perf.now();
  let browser;
  try {
    browser = await launchBrowser();
    out(bold(`[2/4] axe-core ${require('axe-core/package.json').version} in Chromium, tags ${AXE_TAGS.join(', ')}`));
    out(dim(`  served under ${MOUNTS[0].label}, viewports ${AXE_VIEWPORTS.map((v) => `${v.name} ${v.width}x${v.height}`).join(', ')}`));
    await checkMount(browser, MOUNTS[0]);
    await checkMount(browser, MOUNTS[1]);
    printDetails('axe', 'violations');
    out(bold(`  first screen at ${FIRST_SCREEN.width}x${FIRST_SCREEN.height}: <main> starts within the top ${FIRST_SCREEN.mainTopMax}px`));
    printDetails('first-screen', 'pages whose first screen is header and menu');
    out(dim(`  (${since(t0)}, includes the link crawl)`));
    out('');
    out(bold('[3/4] links: every same-origin href/src/srcset/poster must answer 200 (and #fragments must exist)'));
    for (const m of MOUNTS) {
      out(`  served under ${m.label}:`);
      printDetails(`links:${m.key}`, 'broken links');
    }
  } catch (e) {
    infraFailure = true;
    out(`  ${red('ERROR')} ${e.stack || e.message}`);
    for (const p of pages) for (const t of ['axe', 'links:sub', 'links:root']) {
      if (!results[p][t]) record(p, t, false, 'error', [e.message]);
    }
  } finally {
    if (browser) await closeBrowser(browser);
  }
  out('');
}

// 4. Lighthouse
{
  if (!opts.lighthouse) {
    out(bold('[4/4] Lighthouse: skipped (--no-lighthouse)'));
  } else {
    const lhVersion = require('lighthouse/package.json').version;
    out(bold(`[4/4] Lighthouse ${lhVersion}, default (mobile) config, ${LH_CATEGORIES.join(', ')}`));
    const targets = [];
    if (pages.includes('index.html')) targets.push('index.html');
    else out(`  ${red('FAIL')} no home page (index.html) in the site`);
    const after = pages.filter((p) => p.toLowerCase().includes('aftercare'))
      .sort((a, b) => a.length - b.length || a.localeCompare(b))[0];
    if (after) targets.push(after);
    else out(dim('  (no page whose path contains "aftercare")'));
    // And the page with the most images (the gallery of the clinic site).
    const read = (rel) => fs.readFileSync(path.join(opts.site, rel), 'utf8');
    const imgCount = (rel) => (read(rel).match(/<img\b/g) || []).length;
    const pictured = pages.filter((p) => !targets.includes(p) && p !== '404.html')
      .map((p) => [p, imgCount(p)]).filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
    if (pictured) targets.push(pictured[0]);
    // And one page of every other kind: pages are of one kind when their
    // structured data has the same types and their <main> starts with the
    // same element and class (a listing, a profile, an FAQ, a page of prices).
    // A redirect page is no kind: Lighthouse would time the navigation away
    // from it (and its console) instead of a page, and its target is a page
    // of a kind already here.
    const kindOf = (rel) => {
      const html = read(rel);
      const types = [...new Set([...html.matchAll(/"@type":"([A-Za-z]+)"/g)].map((m) => m[1]))].sort().join('+');
      const main = html.match(/<main\b[^>]*>\s*<([a-z0-9]+)(?:[^>]*?\bclass="([^"]*)")?/);
      const blocks = [...new Set([...html.matchAll(/class="(?:block|callout|person-card)(?:[- ]([a-z-]+))?"/g)].map((m) => m[0]))].sort().join('+');
      return `${types} ${main ? `${main[1]}.${main[2] || ''}` : '-'} ${blocks}`;
    };
    const kinds = new Map(targets.map((rel) => [kindOf(rel), rel]));
    for (const rel of [...pages].filter((p) => p !== '404.html' && !redirectOf(p)).sort((a, b) => a.length - b.length || a.localeCompare(b))) {
      const kind = kindOf(rel);
      if (!kinds.has(kind)) { kinds.set(kind, rel); targets.push(rel); }
    }
    out(dim(`  ${targets.length} pages, one of each kind`));
    for (const rel of targets) {
      const t0 = perf.now();
      try {
        const { scores: s, runs } = await runLighthouse(rel);
        const r = results[rel].lighthouse;
        out(`  ${r.ok ? green('ok  ') : red('FAIL')} ${rel}: ${LH_CATEGORIES.map((k) => `${k} ${s[k] ?? 'n/a'}`).join(', ')} ${dim(`(${runs} run${runs > 1 ? 's' : ''}, ${since(t0)})`)}`);
        if (r.detail.length) out(limited(r.detail, '       '));
      } catch (e) {
        infraFailure = true;
        record(rel, 'lighthouse', false, 'error', [e.message]);
        out(`  ${red('FAIL')} ${rel}: ${e.message}`);
      }
    }
    if (!pages.includes('index.html')) {
      results['index.html (missing)'] = { lighthouse: { ok: false, cell: 'missing', detail: [] } };
    }
    if (opts.reportDir) out(dim(`  reports: ${opts.reportDir}`));
  }
  out('');
}

// summary
{
  const heads = {
    vnu: 'vnu',
    axe: 'axe',
    'first-screen': 'first screen 390px',
    'links:sub': `links ${MOUNTS[0].label}`,
    'links:root': `links ${MOUNTS[1].label}`,
    lighthouse: 'lighthouse',
  };
  const used = TOOLS.filter((t) => Object.values(results).some((r) => r[t]));
  const rows = Object.keys(results).map((rel) => [rel, ...used.map((t) => {
    const r = results[rel][t];
    return r ? { text: r.ok === false ? `✗ ${r.cell}` : r.cell, ok: r.ok } : { text: '·', ok: null };
  })]);
  const widths = [Math.max(4, ...rows.map((r) => r[0].length)),
    ...used.map((t, i) => Math.max(heads[t].length, ...rows.map((r) => r[i + 1].text.length)))];
  out(bold('Summary'));
  out(('  ' + ['page', ...used.map((t) => heads[t])].map((h, i) => h.padEnd(widths[i])).join('  ')).trimEnd());
  out('  ' + widths.map((w) => '-'.repeat(w)).join('  '));
  let passed = 0, failed = 0;
  for (const row of rows) {
    const cells = [row[0].padEnd(widths[0])];
    row.slice(1).forEach((cell, i) => {
      const txt = cell.text.padEnd(widths[i + 1]);
      if (cell.ok === true) passed++;
      if (cell.ok === false) failed++;
      cells.push(cell.ok === false ? red(txt) : cell.ok ? green(txt) : dim(txt));
    });
    out(('  ' + cells.join('  ')).trimEnd());
  }
  out(dim('  links "ok (N)": N distinct same-origin references answered 200; lighthouse: P performance, A accessibility, BP best-practices'));
  out('');
  out(`checks: ${passed + failed} (${pages.length} pages x tools), time ${since(startAll)}${infraFailure ? red(', some checks could not run') : ''}`);
  out(`quality: ${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}
