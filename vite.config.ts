import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

// Cross-origin isolation enables SharedArrayBuffer, hence multi-threaded WASM in onnxruntime-web.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** The committed models (models/*.onnx) are served at /models/ in dev and copied into the build. */
function builtinModels(): Plugin {
  const dir = resolve(import.meta.dirname, "models");
  const onnxFiles = () => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.onnx')) : []);
  let outDir = 'dist';
  return {
    name: 'lab-builtin-models',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use('/models', (req, res, next) => {
        const file = decodeURIComponent((req.url ?? '').split('?')[0]).replace(/^\//, '');
        if (!onnxFiles().includes(file)) return next();
        res.setHeader('Content-Type', 'application/octet-stream');
        createReadStream(join(dir, file)).pipe(res);
      });
    },
    closeBundle() {
      mkdirSync(join(outDir, 'models'), { recursive: true });
      for (const f of onnxFiles()) copyFileSync(join(dir, f), join(outDir, 'models', f));
    },
  };
}

export default defineConfig({
  plugins: [react(), builtinModels()],
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
