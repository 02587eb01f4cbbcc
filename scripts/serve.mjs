#!/usr/bin/env node
// Serves the built lab (dist/) over HTTP with cross-origin isolation (COOP/COEP), so that
// onnxruntime-web can use WASM threads. Files go out uncompressed: models are already dense.
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm', '.onnx': 'application/octet-stream',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.svg': 'image/svg+xml', '.ico': 'image/x-icon', '.bin': 'application/octet-stream',
};

/** `mounts` maps URL prefixes ("/fixtures/") to extra folders, for benchmarks and tests. */
export function startServer({ root, port = 0, host = '127.0.0.1', mounts = {} }) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let pathname;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end('bad path');
      return;
    }
    const prefix = Object.keys(mounts).find((p) => pathname.startsWith(p));
    const base = resolve(prefix ? mounts[prefix] : root);
    let path = normalize(join(base, prefix ? pathname.slice(prefix.length) : pathname));
    if (!path.startsWith(base)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    let stat;
    try {
      stat = statSync(path);
      if (stat.isDirectory()) {
        path = join(path, 'index.html');
        stat = statSync(path);
      }
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream',
      'Content-Length': stat.size,
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'cross-origin',
      'Access-Control-Allow-Origin': '*',
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(path).pipe(res);
  });
  return new Promise((ok) => server.listen(port, host, () => ok(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // DIST_DIR: another build folder (e.g. parallel e2e runs that each build with --outDir)
  const root = process.env.DIST_DIR ? resolve(process.env.DIST_DIR) : resolve(fileURLToPath(new URL('../dist', import.meta.url)));
  const port = Number(process.env.PORT ?? 5173);
  const host = process.env.HOST ?? '127.0.0.1';
  const server = await startServer({ root, port, host });
  const { port: actual } = server.address();
  console.log(`\n  Interpretability lab: http://${host === '0.0.0.0' ? 'localhost' : host}:${actual}/\n`);
}
