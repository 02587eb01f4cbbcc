/**
 * Builds only the upscale bench page (bench/upscale/index.html) with the app's own Vite settings,
 * into bench/out/upscale/, so that TF.js (a benchmark-only dependency) stays out of the app's build.
 * bench/upscale.ts runs it: `vite build -c bench/upscale/vite.config.ts`.
 */
import { defineConfig } from 'vite';
import app from '../../vite.config';

export default defineConfig({
  ...app,
  build: {
    ...app.build,
    outDir: 'bench/out/upscale',
    emptyOutDir: true,
    // TF.js's threaded WASM backend starts its pthread workers from the source text of its
    // Emscripten factory (Function.toString): minified, that text refers to renamed outer names.
    minify: false,
    rollupOptions: { input: { upscale: 'bench/upscale/index.html' } },
  },
});
