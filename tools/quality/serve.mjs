#!/usr/bin/env node
// Tiny static file server for the quality gate.
//
//   node serve.mjs SITE_DIR BASE_PATH PORT_FILE [ACCESS_LOG]
//
// Serves SITE_DIR under BASE_PATH (e.g. "/clinic/" or "/") on 127.0.0.1, on a
// port chosen by the OS; the port is written to PORT_FILE once listening.
// Behaves like a plain static host (no rewrites, no ".html" guessing):
//   * BASE_PATH/x/y.css       -> SITE_DIR/x/y.css
//   * BASE_PATH/dir           -> 301 to BASE_PATH/dir/   (if dir is a folder)
//   * BASE_PATH/dir/          -> SITE_DIR/dir/index.html
//   * anything missing, or outside BASE_PATH -> status 404 with the body of
//     SITE_DIR/404.html (if present)
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const [siteArg, baseArg, portFile, accessLog] = process.argv.slice(2);
if (!siteArg || !baseArg || !portFile) {
  console.error('usage: node serve.mjs SITE_DIR BASE_PATH PORT_FILE [ACCESS_LOG]');
  process.exit(2);
}
const root = fs.realpathSync(siteArg);
let base = baseArg.startsWith('/') ? baseArg : '/' + baseArg;
if (!base.endsWith('/')) base += '/';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.rss': 'application/rss+xml; charset=utf-8',
  '.atom': 'application/atom+xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.bmp': 'image/bmp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.pdf': 'application/pdf',
  '.wasm': 'application/wasm',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.vtt': 'text/vtt; charset=utf-8',
  '.zip': 'application/zip',
};

const logStream = accessLog ? fs.createWriteStream(accessLog, { flags: 'a' }) : null;
function log(req, status) {
  if (logStream) logStream.write(`${status} ${req.method} ${req.url}\n`);
}

function isInside(p) {
  return p === root || p.startsWith(root + path.sep);
}

function send(req, res, status, headers, filePath) {
  log(req, status);
  res.writeHead(status, headers);
  if (req.method === 'HEAD' || !filePath) return res.end();
  fs.createReadStream(filePath).on('error', () => res.destroy()).pipe(res);
}

function notFound(req, res) {
  const page = path.join(root, '404.html');
  if (fs.existsSync(page)) {
    const st = fs.statSync(page);
    return send(req, res, 404, {
      'Content-Type': TYPES['.html'],
      'Content-Length': st.size,
      'Cache-Control': 'no-cache',
    }, page);
  }
  log(req, 404);
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(req.method === 'HEAD' ? undefined : 'Not found\n');
}

const server = http.createServer((req, res) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    log(req, 405);
    res.writeHead(405, { Allow: 'GET, HEAD' });
    return res.end();
  }
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
  } catch {
    log(req, 400);
    res.writeHead(400);
    return res.end();
  }
  // The mount point itself without its trailing slash: redirect like a host would.
  if (base !== '/' && pathname === base.slice(0, -1)) {
    log(req, 301);
    res.writeHead(301, { Location: base });
    return res.end();
  }
  if (!pathname.startsWith(base) || pathname.includes('\0')) return notFound(req, res);
  const rel = pathname.slice(base.length);
  let file = path.resolve(root, '.' + path.sep + rel);
  if (!isInside(file)) return notFound(req, res);

  let st;
  try {
    st = fs.statSync(file);
  } catch {
    return notFound(req, res);
  }
  if (st.isDirectory()) {
    if (!pathname.endsWith('/')) {
      const u = new URL(req.url, 'http://localhost');
      log(req, 301);
      res.writeHead(301, { Location: encodeURI(pathname + '/') + u.search });
      return res.end();
    }
    file = path.join(file, 'index.html');
    try {
      st = fs.statSync(file);
    } catch {
      return notFound(req, res);
    }
  }
  if (!st.isFile()) return notFound(req, res);
  // Do not follow symlinks out of the site folder.
  try {
    if (!isInside(fs.realpathSync(file))) return notFound(req, res);
  } catch {
    return notFound(req, res);
  }
  const type = TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream';
  send(req, res, 200, {
    'Content-Type': type,
    'Content-Length': st.size,
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  }, file);
});

server.keepAliveTimeout = 5000;
server.requestTimeout = 30000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  fs.writeFileSync(portFile + '.tmp', String(port));
  fs.renameSync(portFile + '.tmp', portFile);
});

for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(sig, () => {
    server.close();
    process.exit(0);
  });
}
// Never outlive the gate by accident: the runner's pid is watched when given.
const parentPid = Number(process.env.QUALITY_PARENT_PID || 0);
if (parentPid) {
  setInterval(() => {
    try {
      process.kill(parentPid, 0);
    } catch {
      process.exit(0);
    }
  }, 2000).unref();
}
