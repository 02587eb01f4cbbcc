/**
 * `lab upscale IN.png OUT.png [--model M.onnx] [--tile N] [--overlap N] [--json]`: a PNG or JPEG
 * through an upscaler (default: the lab's FREDSR), tiled as in the tab, written as PNG.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from '../engine/errors';
import { nodeRuntime } from '../engine/runtime/node';
import { DEFAULT_OVERLAP, DEFAULT_TILE } from '../engine/upscale/tiles';
import { Upscaler } from '../engine/upscale/upscaler';
import type { RawImage } from '../engine/types';
import { MAX_MODEL_BYTES } from '../worker/protocol';
import type { Parsed } from './args';
import { JSON_OPTION, THREADS_OPTION, usageError, type CommandHelp } from './command';
import { encodePng } from './encodePng';
import { decodeImageFile } from './decode';

/** The lab's default upscaler, beside this package (so `npx lab upscale` works from any folder). */
export const DEFAULT_UPSCALER = fileURLToPath(new URL('../../models/fredsr.onnx', import.meta.url));

export const UPSCALE_HELP: CommandHelp = {
  name: 'upscale',
  summary: 'upscale a photo 3× with FREDSR (or another upscaler), tiled as in the Upscale panel',
  usage: ['lab upscale IN.png OUT.png [--model models/fredsr.onnx] [--tile N] [--overlap N] [--json]'],
  args: [
    { name: 'IN.png', help: 'the low-resolution image, PNG or JPEG' },
    { name: 'OUT.png', help: 'where the upscaled PNG is written' },
  ],
  options: [
    { name: 'model', value: 'M.onnx', help: 'an upscaler with the FREDSR contract (lr [N,3,H,W] → sr [N,3,sH,sW]); default: the lab\'s models/fredsr.onnx' },
    { name: 'tile', value: 'N', help: `low-resolution tile size in px (default ${DEFAULT_TILE}; 0 = the whole image in one run)` },
    { name: 'overlap', value: 'N', help: `px of context each tile reads beyond its edges (default ${DEFAULT_OVERLAP})` },
    THREADS_OPTION,
    JSON_OPTION,
  ],
  examples: ['npx lab upscale public/samples/photos/dragonfly.jpg dragonfly-x3.png'],
};

function wholeOption(args: Parsed, name: string, fallback: number, max: number): number {
  const v = args.options.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`--${name} takes a whole number from 0 to ${max}`);
  return n;
}

function readModel(path: string): Uint8Array {
  try {
    const size = statSync(path).size;
    if (size > MAX_MODEL_BYTES) throw new LabError('too-large', `${path} is ${Math.round(size / 2 ** 20)} MB; the limit is ${MAX_MODEL_BYTES / 2 ** 20} MB.`);
    return new Uint8Array(readFileSync(path));
  } catch (err) {
    if (err instanceof LabError) throw err;
    throw new LabError('bad-model', `Cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export async function upscaleCommand(args: Parsed, json: boolean): Promise<number> {
  const [input, output] = args.positionals;
  if (!input || !output || args.positionals.length !== 2) throw usageError(UPSCALE_HELP, 'lab upscale takes IN and OUT');
  if (!/\.png$/i.test(output)) throw usageError(UPSCALE_HELP, 'lab upscale writes PNG: OUT must end in .png');
  const tile = wholeOption(args, 'tile', DEFAULT_TILE, 4096);
  const overlap = wholeOption(args, 'overlap', DEFAULT_OVERLAP, 256);
  const modelOpt = args.options.get('model');
  const modelPath = typeof modelOpt === 'string' ? modelOpt : DEFAULT_UPSCALER;
  const image = decodeImageFile(input);
  const threads = args.options.get('threads');
  const upscaler = await Upscaler.open(nodeRuntime(), readModel(modelPath), basename(modelPath), {
    threads: typeof threads === 'string' ? Number(threads) : undefined,
  });
  try {
    let tiles = 0;
    const t0 = performance.now();
    const result = await upscaler.upscale(image, {
      tile,
      overlap,
      onTile: (done, total) => {
        tiles = total;
        if (!json && process.stderr.isTTY) process.stderr.write(`\rtile ${done}/${total}`);
      },
    });
    if (!json && process.stderr.isTTY) process.stderr.write('\n');
    const seconds = (performance.now() - t0) / 1000;
    writeFileSync(output, encodePng(result));
    const { info } = upscaler;
    if (json) {
      const doc = {
        schema: 'lab.upscale/1',
        model: { name: info.name, sha256: info.sha256, scale: info.scale, parameters: info.parameters },
        input: { file: input, width: image.width, height: image.height },
        output: { file: output, width: result.width, height: result.height },
        tile,
        overlap,
        tiles,
        seconds,
      };
      console.log(JSON.stringify(doc, null, 2));
    } else {
      console.log(
        `${input} ${image.width}×${image.height} → ${output} ${result.width}×${result.height} · ${info.name} (${info.scale}×) · ` +
          `${tiles} tile${tiles === 1 ? '' : 's'}${tile ? ` of ${tile} px (+${overlap})` : ''} · ${seconds.toFixed(2)} s`,
      );
    }
  } finally {
    await upscaler.release();
  }
  return 0;
}
