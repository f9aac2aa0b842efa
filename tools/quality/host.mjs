#!/usr/bin/env node
// Host-file check for a built dotwork site (issue 12).
//
//   node host.mjs SITE_DIR
//
// Serves SITE_DIR on 127.0.0.1 the way Netlify and Cloudflare Pages do when it
// has a `_headers` file: every matching `_headers` rule's headers are sent
// (values of one header from several rules joined with ", ", as Cloudflare
// does), and `_redirects` rules answer before any file. Without `_headers`
// (a GitHub Pages build) no header is sent and each page's
// <meta http-equiv="Content-Security-Policy"> is what the browser enforces.
// Then:
//   csp        every .html page loaded in headless Chromium (404.html at a
//              missing address): securitypolicyviolation events and console
//              errors about the Content Security Policy must be 0, and the
//              page must have a policy (header, or meta first in <head>).
//              A control run adds an inline script to one page and requires
//              a violation, so a policy that is not enforced cannot pass.
//   redirects  every `_redirects` rule answers its status (301) with its
//              target as Location, and the target answers 200.
//   caching    every fingerprinted file (name.<10 hex>.css/js) and image
//              variant (_img/) is sent with "immutable"; no HTML page is.
//   observatory  the headers of / scored with Mozilla HTTP Observatory's
//              published rules (see scoreObservatory); must reach A+ (>= 100).
// Exits 0 when all pass, 1 when any fails, 2 when it cannot run. The last line
// reads "host: N passed, M failed".
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CHROME_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';
const CHROME_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const NAV_TIMEOUT = 1000 * Number(process.env.QUALITY_NAV_TIMEOUT || 30);

const siteArg = process.argv[2];
if (!siteArg || !fs.existsSync(siteArg)) {
  console.error('usage: node host.mjs SITE_DIR');
  process.exit(2);
}
const root = fs.realpathSync(siteArg);

// ---------------------------------------------------------------- host rules
/** A rule's path pattern as a RegExp: `*` matches anything, `:name` one segment. */
function patternOf(rule) {
  const escaped = rule.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/:[A-Za-z]\w*/g, '[^/]+');
  return new RegExp(`^${escaped}$`);
}

/** `_headers`: [{path, re, headers: [[name, value]]}] */
function parseHeaders(text) {
  const rules = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      rules.push({ path: line.trim(), re: patternOf(line.trim()), headers: [] });
      continue;
    }
    const m = line.trim().match(/^([^:\s]+):\s*(.*)$/);
    if (!m || !rules.length) throw new Error(`_headers line ${i + 1} is not "Name: value" under a path: ${line}`);
    rules.at(-1).headers.push([m[1], m[2]]);
  }
  return rules;
}

/** `_redirects`: [{from, to, status}] */
function parseRedirects(text) {
  const rules = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const parts = line.trim().split(/\s+/);
    if (parts.length < 2 || parts.length > 3) throw new Error(`_redirects line ${i + 1}: ${line}`);
    // Cloudflare Pages answers 302 when no status is written.
    rules.push({ from: parts[0], re: patternOf(parts[0]), to: parts[1], status: Number(parts[2] || 302) });
  }
  return rules;
}

const read = (name) => (fs.existsSync(path.join(root, name)) ? fs.readFileSync(path.join(root, name), 'utf8') : null);
const headersText = read('_headers');
const redirectsText = read('_redirects');
const headerRules = headersText === null ? [] : parseHeaders(headersText);
const redirectRules = redirectsText === null ? [] : parseRedirects(redirectsText);
const headerMode = headersText !== null;

// ---------------------------------------------------------------- server
const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.avif': 'image/avif',
  '.xml': 'application/xml; charset=utf-8', '.txt': 'text/plain; charset=utf-8',
  '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.json': 'application/json', '.pdf': 'application/pdf' };

function headersFor(pathname) {
  const out = {};
  for (const rule of headerRules) {
    if (!rule.re.test(pathname)) continue;
    for (const [name, value] of rule.headers) {
      const key = name.toLowerCase();
      out[key] = out[key] ? `${out[key]}, ${value}` : value;
    }
  }
  return out;
}

function resolveFile(pathname) {
  let file = path.resolve(root, '.' + pathname);
  if (file !== root && !file.startsWith(root + path.sep)) return { missing: true };
  let st;
  try { st = fs.statSync(file); } catch { return { missing: true }; }
  if (st.isDirectory()) {
    if (!pathname.endsWith('/')) return { redirect: pathname + '/' };
    file = path.join(file, 'index.html');
    if (!fs.existsSync(file)) return { missing: true };
  }
  return { file };
}

const server = http.createServer((req, res) => {
  let pathname;
  try { pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname); } catch {
    res.writeHead(400); return res.end();
  }
  // Redirect rules answer before any file (Cloudflare Pages; Netlify for
  // addresses without a file, which is every alias when hosts read _redirects).
  const rule = redirectRules.find((r) => r.re.test(pathname));
  if (rule) {
    res.writeHead(rule.status, { Location: rule.to, ...headersFor(pathname) });
    return res.end();
  }
  const found = resolveFile(pathname);
  if (found.redirect) {
    res.writeHead(301, { Location: found.redirect });
    return res.end();
  }
  let file = found.file;
  let status = 200;
  if (found.missing) {
    file = path.join(root, '404.html');
    status = 404;
    if (!fs.existsSync(file)) { res.writeHead(404); return res.end(); }
  }
  const type = TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream';
  res.writeHead(status, { 'Content-Type': type, ...headersFor(found.missing ? '/404.html' : pathname) });
  if (req.method === 'HEAD') return res.end();
  fs.createReadStream(file).pipe(res);
});

// ---------------------------------------------------------------- site files
function walk(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, out);
    else out.push(path.relative(root, p).split(path.sep).join('/'));
  }
  return out;
}
const files = walk(root).sort();
const addressOf = (rel) => '/' + rel.replace(/(^|\/)index\.html$/, '$1');

// ---------------------------------------------------------------- Observatory
/**
 * Mozilla HTTP Observatory's scoring (MDN HTTP Observatory, "Tests & Scoring",
 * the tests that can be run on a static host's headers): start at 100, add
 * each test's modifier; bonuses (positive modifiers) count only when the
 * score without them is at least 90; A+ is 100 or more. Scored here:
 *   content-security-policy  no 'unsafe-inline' (without a hash or nonce),
 *     data:, *, http: or https: in script-src (or default-src), and object-src
 *     restricted (object-src or default-src 'none'/'self'): +5, or +10 with
 *     default-src 'none'; 'unsafe-eval' -10; 'unsafe-inline' etc. -20;
 *     http: in passive content -10; none -25
 *   strict-transport-security  max-age >= 15768000 (six months): 0;
 *     shorter -10; none -20 (preloading, +5, cannot be checked here)
 *   x-content-type-options  nosniff: 0; else -5
 *   x-frame-options  frame-ancestors in the CSP: +5; XFO DENY/SAMEORIGIN: 0;
 *     none -20
 *   referrer-policy  no-referrer, same-origin, strict-origin,
 *     strict-origin-when-cross-origin: +5; unsafe values -5; none 0
 *   cookies, cross-origin-resource-sharing: none set: 0
 *   subresource-integrity  no script from another origin: 0
 *   redirection (http -> https) is the host's, not testable here: not scored.
 */
function parseCsp(text) {
  const map = new Map();
  for (const part of text.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name && !map.has(name.toLowerCase())) map.set(name.toLowerCase(), sources);
  }
  return map;
}

function scoreObservatory(headers) {
  const results = [];
  const csp = headers['content-security-policy'];
  if (!csp) results.push(['content-security-policy', 'csp-not-implemented', -25]);
  else {
    const p = parseCsp(csp);
    const fallback = (d) => p.get(d) ?? p.get('default-src') ?? [];
    const script = fallback('script-src');
    const object = fallback('object-src');
    const style = fallback('style-src');
    const broad = (s) => s.some((x) => ['*', 'http:', 'https:', 'data:'].includes(x));
    const inlineOk = (s) => s.some((x) => /^'(sha(256|384|512)-|nonce-|strict-dynamic)/.test(x));
    const unsafeInline = (s) => s.includes("'unsafe-inline'") && !inlineOk(s);
    const insecure = (s) => s.some((x) => x === 'http:' || x.startsWith('http://'));
    if (!p.get('script-src') && !p.get('default-src')) results.push(['content-security-policy', 'csp-implemented-with-unsafe-inline', -20]);
    else if (unsafeInline(script) || broad(script) || broad(object) || object.length === 0) results.push(['content-security-policy', 'csp-implemented-with-unsafe-inline', -20]);
    else if (insecure(script) || insecure(object) || insecure(style)) results.push(['content-security-policy', 'csp-implemented-with-insecure-scheme', -20]);
    else if (script.includes("'unsafe-eval'")) results.push(['content-security-policy', 'csp-implemented-with-unsafe-eval', -10]);
    else if (insecure(fallback('img-src')) || insecure(fallback('media-src'))) results.push(['content-security-policy', 'csp-implemented-with-insecure-scheme-in-passive-content-only', -10]);
    else if (style.includes("'unsafe-inline'") || broad(style)) results.push(['content-security-policy', 'csp-implemented-with-unsafe-inline-in-style-src-only', 0]);
    else if ((p.get('default-src') ?? []).join(' ') === "'none'") results.push(['content-security-policy', 'csp-implemented-with-no-unsafe-default-src-none', 10]);
    else results.push(['content-security-policy', 'csp-implemented-with-no-unsafe', 5]);
  }
  const hsts = headers['strict-transport-security'];
  const maxAge = Number((hsts || '').match(/max-age=(\d+)/i)?.[1] ?? NaN);
  if (!hsts) results.push(['strict-transport-security', 'hsts-not-implemented', -20]);
  else if (Number.isNaN(maxAge)) results.push(['strict-transport-security', 'hsts-header-invalid', -20]);
  else if (maxAge < 15768000) results.push(['strict-transport-security', 'hsts-implemented-max-age-less-than-six-months', -10]);
  else results.push(['strict-transport-security', 'hsts-implemented-max-age-at-least-six-months', 0]);
  const xcto = headers['x-content-type-options'];
  results.push(xcto?.trim().toLowerCase() === 'nosniff'
    ? ['x-content-type-options', 'x-content-type-options-nosniff', 0]
    : ['x-content-type-options', xcto ? 'x-content-type-options-header-invalid' : 'x-content-type-options-not-implemented', -5]);
  const ancestors = csp ? parseCsp(csp).get('frame-ancestors') : undefined;
  const xfo = headers['x-frame-options']?.trim().toUpperCase();
  if (ancestors && !ancestors.includes('*')) results.push(['x-frame-options', 'x-frame-options-implemented-via-csp', 5]);
  else if (xfo === 'DENY' || xfo === 'SAMEORIGIN') results.push(['x-frame-options', 'x-frame-options-sameorigin-or-deny', 0]);
  else results.push(['x-frame-options', 'x-frame-options-not-implemented', -20]);
  const referrer = headers['referrer-policy']?.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean).at(-1);
  if (!referrer) results.push(['referrer-policy', 'referrer-policy-not-implemented', 0]);
  else if (['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin'].includes(referrer)) results.push(['referrer-policy', 'referrer-policy-private', 5]);
  else if (referrer === 'no-referrer-when-downgrade') results.push(['referrer-policy', 'referrer-policy-no-referrer-when-downgrade', 0]);
  else results.push(['referrer-policy', 'referrer-policy-unsafe', -5]);
  results.push(['cookies', headers['set-cookie'] ? 'cookies-set (not scored here)' : 'cookies-not-found', 0]);
  results.push(['cross-origin-resource-sharing', headers['access-control-allow-origin'] === '*' ? 'cross-origin-resource-sharing-implemented-with-public-access' : 'cross-origin-resource-sharing-not-implemented', 0]);
  const penalties = results.reduce((s, [, , m]) => s + Math.min(m, 0), 0);
  const bonuses = results.reduce((s, [, , m]) => s + Math.max(m, 0), 0);
  const base = Math.max(0, 100 + penalties);
  const score = base >= 90 ? base + bonuses : base;
  return { score, grade: score >= 100 ? 'A+' : score >= 90 ? 'A' : 'below A', results };
}

// ---------------------------------------------------------------- checks
let passed = 0;
let failed = 0;
// `promise`, or an error after `ms`: a tab that never answers (Chromium
// once left a page that forwards as it loads neither loaded nor closed,
// and CI waited for it for a quarter of an hour) fails the check instead
// of stalling it.
function within(ms, what, promise) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

// Closes `tab`, or leaves it to the browser's close after 10 s.
async function closeTab(tab) {
  await within(10_000, 'closing a tab', tab.close()).catch((e) => console.log(`     ${e.message}`));
}

function report(ok, what, detail = '') {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` ${detail}` : ''}`);
}

async function get(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => { res.resume(); res.on('end', () => resolve(res)); }).on('error', reject);
  });
}

async function main() {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  console.log(`host: ${headerMode ? '_headers and _redirects applied' : 'no _headers: the pages\' <meta> policies'} (${root})`);

  // Redirects.
  for (const rule of redirectRules) {
    const res = await get(origin + rule.from);
    const target = rule.to.startsWith('/') ? await get(origin + rule.to) : null;
    report(res.statusCode === 301 && res.headers.location === rule.to && target?.statusCode === 200,
      `redirect ${rule.from}`, `-> ${res.statusCode} ${res.headers.location} (target ${target?.statusCode})`);
  }

  // Caching.
  if (headerMode) {
    const long = files.filter((f) => /\.[0-9a-f]{10}\.(css|js)$/.test(f) || f.startsWith('_img/'));
    let bad = long.filter((f) => !(headersFor('/' + f)['cache-control'] || '').includes('immutable'));
    report(long.length > 0 && bad.length === 0, `caching: ${long.length} fingerprinted files immutable`, bad.join(' '));
    const html = files.filter((f) => f.endsWith('.html'));
    bad = html.filter((f) => (headersFor(addressOf(f))['cache-control'] || '').includes('immutable'));
    report(bad.length === 0, `caching: no page of ${html.length} immutable`, bad.join(' '));
  }

  // Observatory.
  if (headerMode) {
    const res = await get(origin + '/');
    const { score, grade, results } = scoreObservatory(res.headers);
    for (const [test, result, modifier] of results) console.log(`     observatory ${test}: ${result} (${modifier >= 0 ? '+' : ''}${modifier})`);
    report(score >= 100, `observatory score ${score} (${grade})`);
  }

  // Every page in Chromium.
  const puppeteer = (await import('puppeteer-core')).default;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dotwork-host-'));
  const browser = await puppeteer.launch({ executablePath: CHROME_PATH, headless: true, args: CHROME_FLAGS,
    userDataDir, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
  const redirected = new Set(redirectRules.map((r) => r.from));
  const pages = files.filter((f) => f.endsWith('.html')).map((f) => (f === '404.html'
    ? { file: f, address: '/quality-gate/no-such-page/', status: 404 }
    : { file: f, address: addressOf(f), status: 200 })).filter((p) => !redirected.has(p.address))
    .map((p) => ({ ...p, forwards: /<meta http-equiv="refresh"/i.test(fs.readFileSync(path.join(root, p.file), 'utf8')) }));
  let violations = 0;
  // Loads `p` in a new tab; `poke` runs in the page after it loaded.
  async function load(p, poke) {
    const tab = await browser.newPage();
    const found = [];
    tab.on('console', (msg) => {
      if (msg.type() === 'error' && /Content[- ]Security[- ]Policy/i.test(msg.text())) found.push(`console: ${msg.text()}`);
    });
    await tab.evaluateOnNewDocument(() => {
      window.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
      });
    });
    const res = await tab.goto(origin + p.address, { waitUntil: 'load', timeout: NAV_TIMEOUT });
    if (p.forwards) {
      // A page that forwards visitors (an alias without _redirects) leaves at
      // once: its policy is read from the file, and what it reported on the way counts.
      const html = fs.readFileSync(path.join(root, p.file), 'utf8');
      const head = html.slice(html.indexOf('<head>') + 6).trimStart().replace(/^<meta charset="utf-8">\s*/i, '');
      const policy = headerMode ? res.headers()['content-security-policy']
        : head.match(/^<meta http-equiv="Content-Security-Policy" content="([^"]*)">/)?.[1];
      await closeTab(tab);
      return { status: res.status(), policy, ran: false, all: found };
    }
    if (poke) await tab.evaluate(poke);
    // Violation events are queued as tasks: let them run.
    await tab.evaluate(() => new Promise((r) => setTimeout(r, 50)));
    const events = await tab.evaluate(() => window.__csp);
    const ran = await tab.evaluate(() => window.__ran === true);
    const policy = headerMode
      ? res.headers()['content-security-policy']
      : await tab.evaluate(() => {
        const first = [...document.head.children].find((e) => !e.matches('meta[charset]'));
        return first?.matches('meta[http-equiv="Content-Security-Policy" i]') ? first.content : null;
      });
    // A stylesheet that did not load (blocked, or upgraded to https) has no sheet.
    const unstyled = await tab.evaluate(() => [...document.querySelectorAll('link[rel~="stylesheet"]')]
      .filter((l) => !l.sheet).map((l) => `stylesheet not loaded: ${l.href}`));
    await closeTab(tab);
    return { status: res.status(), policy, ran, all: [...events.map((e) => `event: ${e}`), ...found, ...unstyled] };
  }
  try {
    // The control: code the policy does not allow must be blocked and reported.
    const control = await within(3 * NAV_TIMEOUT, 'the control page', load(pages[0], () => {
      const s = document.createElement('script');
      s.textContent = 'window.__ran = true;';
      document.head.append(s);
    }));
    report(!control.ran && control.all.length > 0,
      `csp control (${pages[0].address}): an inline script added to the page is blocked and reported`,
      control.ran ? 'it RAN' : '');
    for (const p of pages) {
      // Twice at most, each in a tab of its own, before it counts as failed.
      const { status, policy, all } = await within(3 * NAV_TIMEOUT, `loading ${p.address}`, load(p))
        .catch((e) => {
          console.log(`     ${e.message}; once more`);
          return within(3 * NAV_TIMEOUT, `loading ${p.address}`, load(p));
        })
        .catch((e) => ({ status: 0, policy: null, all: [e.message] }));
      violations += all.length;
      report(status === p.status && Boolean(policy) && all.length === 0,
        `csp ${p.address}`, `${status}${p.forwards ? ' (forwards)' : ''}${policy ? '' : ' NO POLICY'}${all.length ? '\n       ' + all.join('\n       ') : ''}`);
    }
  } finally {
    await within(30_000, 'closing Chromium', browser.close()).catch((e) => {
      console.log(`     ${e.message}: killed`);
      browser.process()?.kill('SIGKILL');
    });
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  console.log(`host: ${pages.length} pages loaded, ${violations} CSP violations, ${redirectRules.length} redirects`);
}

main().then(() => {
  server.close();
  console.log(`host: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}, (e) => {
  console.error(`host: ${e.stack || e}`);
  console.log(`host: ${passed} passed, ${failed + 1} failed`);
  process.exit(2);
});
