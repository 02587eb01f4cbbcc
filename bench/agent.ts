/**
 * Agent timings in Node (not a test):
 *
 *     npx tsx bench/agent.ts [--count=10000] [--threads=1] [--layer=stage3.block2.relu2] [--unit=1]
 *
 * 1. Tool latency on the built-in model (scenes-balanced, onnxruntime-node): call_unit on 10
 *    images, text2image of 10 prompts, edit_images of 10 (one scene × 10 instructions), each
 *    with its ratio to the baseline measured in the same run — the bare probed model run on the
 *    same 10 images (what any tool must pay) — so the ratio is the tools' own overhead (rendering,
 *    masks, PNG encoding, the store).
 * 2. An offline-agent run on one unit: indexing the layer over the dataset (first call), then the
 *    run itself with the index in memory (what a second unit of the same layer costs).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOfflineClient } from '../src/engine/agent/clients/offline';
import { ImageStore } from '../src/engine/agent/imageStore';
import { AgentRun } from '../src/engine/agent/loop';
import { runTool, type ToolContext } from '../src/engine/agent/tools';
import { indexingExemplars } from '../src/engine/agent/tools/exemplarSource';
import { loadBanks, openDataset } from '../src/engine/data/datasets';
import { LoadedModel } from '../src/engine/lab/loadedModel';
import { nodeRuntime } from '../src/engine/runtime/node';
import { REPO_ROOT } from '../tests/setup/fixturePaths';
import { timeInterleaved } from './timing';

const opt = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const count = Number(opt('count', '10000'));
const threads = Number(opt('threads', '1'));
const layerLabel = opt('layer', 'stage3.block2.relu2');
const unit = Number(opt('unit', '1'));

const banks = await loadBanks(async (n) => new Uint8Array(readFileSync(join(REPO_ROOT, 'assets', n))));
const dataset = await openDataset('scenes-test', banks, { count });
const model = await LoadedModel.open(nodeRuntime(), new Uint8Array(readFileSync(join(REPO_ROOT, 'models/scenes-balanced.onnx'))), 'scenes-balanced', { session: { threads } });
const layer = model.summary.layers.find((l) => l.label === layerLabel)!.tensor;
const subject = { kind: 'unit' as const, layer, unit };
const exemplars = indexingExemplars(model, dataset);
const fresh = (): ToolContext => ({ model, subject, banks, dataset, exemplars, images: new ImageStore(), seed: 1 });

// 10 scene images in a store, for call_unit and the baseline
const base = fresh();
const t2i = await runTool({ id: 'p', name: 'text2image', arguments: JSON.stringify({ prompts: ['red striped trousers on grass', 'blue dotted bag on sky'], samples: 5 }) }, base);
const ids = (t2i.result.data as { images: Array<{ image: string }> }).images.map((r) => r.image);
const pixels = await Promise.all(ids.map((id) => base.images.pixelsOf(id)));
const prompts = ['red trousers', 'blue bag on grass', 'striped dress', 'dotted coat on sky', 'green sneaker', 'pink shirt on a solid background', 'checked pullover', 'white sandal on rock', 'yellow t-shirt on flowers', 'small gray ankle boot, left'];
const instructions = ['make it blue', 'add stripes', 'make it a bag', 'replace the background with grass', 'make the item smaller', 'move it left', 'cover the top half', 'add noise', 'flip', 'grayscale'];

const fns = [
  () => model.run({ images: pixels, maps: [{ layer, unit }] }),
  () => runTool({ id: 'a', name: 'call_unit', arguments: JSON.stringify({ images: ids }) }, base),
  () => runTool({ id: 'b', name: 'text2image', arguments: JSON.stringify({ prompts }) }, fresh()),
  () => runTool({ id: 'c', name: 'edit_images', arguments: JSON.stringify({ images: [ids[0]], instructions }) }, base),
];
const [bare, call, text, edit] = await timeInterleaved(fns, 9);
console.log(`scenes-balanced.onnx ${model.summary.sha256.slice(0, 12)}, onnxruntime-node, ${threads} thread(s), ${layerLabel} unit ${unit}`);
console.log('| operation (10 images) | median ms | vs bare model run |');
console.log('|---|---|---|');
for (const [name, t] of [['bare probed model run (baseline)', bare], ['call_unit', call], ['text2image', text], ['edit_images', edit]] as const) {
  console.log(`| ${name} | ${t.median.toFixed(1)} | ${(t.median / bare.median).toFixed(2)}× |`);
}

let t0 = performance.now();
await exemplars.top(layer, unit, 15, {});
const indexMs = performance.now() - t0;
const settings = { subject, backend: { kind: 'offline' as const, seesImages: false }, rounds: 25, seed: 1 };
t0 = performance.now();
const run = new AgentRun({ settings, client: createOfflineClient(), ctx: fresh() });
await run.run();
const runMs = performance.now() - t0;
const toolMs = run.events.reduce((a, e) => a + (e.type === 'tool' ? e.ms : 0), 0);
console.log(`\noffline agent on ${layerLabel} unit ${unit} over ${dataset.count} scenes: indexing the layer ${(indexMs / 1000).toFixed(1)} s (once per layer); the run ${(runMs / 1000).toFixed(2)} s (${run.round} rounds, ${run.toolCalls} tool calls, tools ${(toolMs / 1000).toFixed(2)} s) → "${run.result?.label}"`);
await model.release();
