// Generates protobuf-ts code, bundles app.ts, serves it from its own origin, and runs it in headless Chromium.
// Usage: node browser/run.mjs <grpc-web server URL> <page port> <binary|text>
// Prints one JSON line with what the page recorded.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const [server, pagePort, format] = process.argv.slice(2);

execFileSync(path.join(here, '../node_modules/.bin/buf'), ['generate', '../../protos', '--template', 'browser/buf.gen.yaml', '--path', '../../protos/iwouldargue/v1/diagnostics.proto'], { cwd: path.join(here, '..'), stdio: 'inherit' });
await esbuild.build({ entryPoints: [path.join(here, 'app.ts')], bundle: true, format: 'esm', outfile: path.join(here, '../dist/app.js'), logLevel: 'warning' });

const page = `<!doctype html><html><body><script type="module" src="/app.js"></script></body></html>`;
const script = await readFile(path.join(here, '../dist/app.js'));
const site = http.createServer((request, response) => {
  if (request.url.startsWith('/app.js')) {
    response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
  } else {
    response.writeHead(200, { 'content-type': 'text/html' }).end(page);
  }
});
await new Promise((resolve) => site.listen(Number(pagePort), '127.0.0.1', resolve));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const tab = await browser.newPage();
  const errors = [];
  tab.on('pageerror', (error) => errors.push(String(error)));
  tab.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  await tab.goto(`http://127.0.0.1:${pagePort}/?server=${encodeURIComponent(server)}&format=${format}`);
  const results = await tab.evaluate(async () => await window.results);
  console.log(JSON.stringify({ ...results, pageErrors: errors }));
} finally {
  await browser.close();
  site.close();
}
