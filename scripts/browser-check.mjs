// A manual check of the browser build in a real browser (not part of CI: it needs Chromium).
// Serves tests/browser/page.ts (bundled here) with dist/atrous.browser.js as its module, the test
// fixtures and ../shared's CRF fixtures, opens it in headless Chromium with WebGPU enabled, and
// prints what the page reports: adapter, conv2d goldens through every variant, the dense CRF
// against the original C++, the bundled demo model on the bundled samples (the main job). Exit
// status 0 all passed, 1 a check failed, 2 no browser or no result.
//   node scripts/browser-check.mjs [--browser PATH] [--timeout SECONDS]
import { build } from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const root = resolve(import.meta.dirname, '..');
const shared = resolve(root, '../shared');
const timeout = Number(opt('--timeout', 600)) * 1000;

const browser = opt('--browser', process.env.CHROME) ??
  ['chromium', 'chromium-browser', 'google-chrome'].find((b) => spawnSync('which', [b]).status === 0);
if (!browser) {
  console.error('browser-check: no Chromium found; install one (Debian: apt-get install chromium) or pass --browser PATH');
  process.exit(2);
}
if (!existsSync(join(root, 'dist/atrous.browser.js'))) {
  console.error('browser-check: dist/atrous.browser.js is missing; run "npm run build" first');
  process.exit(2);
}

const page = await build({
  entryPoints: [join(root, 'tests/browser/page.ts')],
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  external: ['/dist/atrous.browser.js'],
  logLevel: 'warning',
});
const html = '<!doctype html><meta charset="utf-8"><title>atrous browser check</title><script type="module" src="/page.js"></script>';
const types = { '.js': 'text/javascript', '.json': 'application/json', '.map': 'application/json' };

let chrome;
let finished = false;
const profile = mkdtempSync(join(tmpdir(), 'atrous-chromium-'));
const done = (code, text) => {
  if (finished) return;
  finished = true;
  if (text) console.log(text);
  // The whole process group: Chromium's GPU and renderer processes too.
  if (chrome) try { process.kill(-chrome.pid, 'SIGKILL'); } catch {}
  server.close();
  setTimeout(() => {
    try { rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }); } catch {}
    process.exit(code);
  }, 300);
};

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (req.method === 'POST' && url.pathname === '/result') {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      res.end('ok');
      report(JSON.parse(body));
    });
    return;
  }
  if (url.pathname === '/') return res.end(html);
  if (url.pathname === '/page.js') {
    res.setHeader('content-type', 'text/javascript');
    return res.end(page.outputFiles[0].text);
  }
  // Only the built library, the fixtures, the bundled assets and the shared CRF cases are served.
  const rel = normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, '');
  const file = rel.startsWith('shared/fixtures/') ? join(shared, rel.slice('shared/'.length))
    : rel.startsWith('dist/') || rel.startsWith('tests/fixtures/') || rel.startsWith('assets/') ? join(root, rel) : null;
  if (!file || rel.includes('..') || !existsSync(file)) {
    res.statusCode = 404;
    return res.end();
  }
  res.setHeader('content-type', types[extname(file)] ?? 'application/octet-stream');
  res.end(readFileSync(file));
});

function report({ info, checks, error }) {
  const lines = [`browser: ${JSON.stringify(info)}`];
  for (const c of checks) lines.push(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  if (error) lines.push(`error: ${error}`);
  const failed = checks.filter((c) => !c.ok).length + (error ? 1 : 0);
  lines.push(`${checks.length - checks.filter((c) => !c.ok).length} passed, ${failed} failed`);
  done(failed ? 1 : 0, lines.join('\n'));
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const flags = ['--headless=new', '--enable-unsafe-webgpu', '--enable-features=Vulkan', `--user-data-dir=${profile}`, '--no-first-run'];
  if (process.getuid?.() === 0) flags.push('--no-sandbox'); // Chromium refuses to run as root otherwise
  chrome = spawn(browser, [...flags, `http://127.0.0.1:${port}/`], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  chrome.stderr.on('data', (c) => (stderr = (stderr + c).slice(-4000)));
  chrome.on('exit', (code) => done(2, `browser-check: ${browser} exited (${code}) before the page reported:\n${stderr}`));
  setTimeout(() => done(2, `browser-check: no result within ${timeout / 1000} s; the browser said:\n${stderr}`), timeout);
});
