import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';

// Cross-origin isolation enables SharedArrayBuffer, hence multi-threaded WASM in onnxruntime-web.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** A folder of committed files served at `/<url>/` in dev and copied to `dist/<url>/` at build. */
interface StaticFolder {
  /** Folder in the repository. */
  dir: string;
  /** Path under the page (and under dist/). */
  url: string;
  /** Which file names in the folder are published. */
  files: (name: string) => boolean;
}

const CONTENT_TYPES: Record<string, string> = { '.json': 'application/json' };

/**
 * The built-in files: models/*.onnx at models/, and the scene generator's assets
 * (assets/*.gz, assets/*.json) at assets/, both relative to the page. Files go out as they are
 * (a .gz is served as bytes, never with Content-Encoding: the engine gunzips it itself).
 */
function builtinFiles(): Plugin {
  const folders: StaticFolder[] = [
    { dir: 'models', url: 'models', files: (f) => f.endsWith('.onnx') },
    { dir: 'assets', url: 'assets', files: (f) => f.endsWith('.gz') || f.endsWith('.json') },
  ];
  const root = import.meta.dirname;
  const listed = (folder: StaticFolder): string[] => {
    const dir = resolve(root, folder.dir);
    return existsSync(dir) ? readdirSync(dir).filter(folder.files) : [];
  };
  let outDir = 'dist';
  return {
    name: 'lab-builtin-models',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      for (const folder of folders) {
        server.middlewares.use(`/${folder.url}`, (req, res, next) => {
          let file: string;
          try {
            file = decodeURIComponent((req.url ?? '').split('?')[0]).replace(/^\//, '');
          } catch {
            return next();
          }
          if (!listed(folder).includes(file)) return next();
          res.setHeader('Content-Type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
          createReadStream(join(resolve(root, folder.dir), file)).pipe(res);
        });
      }
    },
    closeBundle() {
      for (const folder of folders) {
        mkdirSync(join(outDir, folder.url), { recursive: true });
        for (const f of listed(folder)) copyFileSync(join(resolve(root, folder.dir), f), join(outDir, folder.url, f));
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), builtinFiles()],
  base: './',
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  worker: { format: 'es' },
  server: { headers: isolation },
  preview: { headers: isolation },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    // The bench page ships in the build so that benchmarks time exactly what users run.
    rollupOptions: { input: { main: 'index.html', bench: 'bench/browser/index.html' } },
  },
});
