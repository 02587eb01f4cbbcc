/** The agent's tools on the built-in model: schemas, errors the model can act on, activations, masks, edits, the describer. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/engine/agent/clients';
import { decodePng, encodePng, fromBase64 } from '../../src/engine/agent/png';
import { TOOL_SPECS, runTool, type ToolContext } from '../../src/engine/agent/tools';
import { applyPixelEdit } from '../../src/engine/agent/tools/pixelEdits';
import { render } from '../../src/engine/synth/render';
import { sceneFromText } from '../../src/engine/synth/text';
import type { RawImage } from '../../src/engine/types';
import { startScriptedServer } from './servers/scripted';
import { openWorld, type World } from './world';

let w: World;
let ctx: ToolContext;
const LAYER = 'stage3.block2.relu2';

beforeAll(async () => {
  w = await openWorld();
  ctx = w.ctx({ kind: 'unit', layer: w.tensor(LAYER), unit: 1 });
});
afterAll(() => w.model.release());

const call = (name: string, args: unknown) => runTool({ id: `c-${name}`, name, arguments: typeof args === 'string' ? args : JSON.stringify(args) }, ctx);

/** The unit's spatial max computed directly from the model, not through the tools. */
async function directMax(images: RawImage[]): Promise<number[]> {
  const t = w.tensor(LAYER);
  const r = await w.model.run({ images, maps: [{ layer: t, unit: 1 }] });
  const m = r.maps[`${t}#1`];
  const hw = m.dims[1] * m.dims[2];
  return images.map((_, n) => Math.max(...m.data.subarray(n * hw, (n + 1) * hw)));
}

describe('tool specs', () => {
  it('every tool has a versioned object schema and a description', () => {
    expect(TOOL_SPECS.map((s) => s.name)).toEqual(['dataset_exemplars', 'call_unit', 'text2image', 'edit_images', 'describe_images', 'summarize_images']);
    for (const s of TOOL_SPECS) {
      expect(s.version).toBeGreaterThanOrEqual(1);
      expect(s.parameters.type).toBe('object');
      expect(s.description.length).toBeGreaterThan(40);
    }
  });

  it('turns bad JSON, schema failures and unknown tools into failed results that say what is accepted', async () => {
    const bad = await call('call_unit', '{"images": [');
    expect(bad).toMatchObject({ fault: 'bad-tool-json', result: { ok: false } });
    const wrong = await call('call_unit', { images: [3], extra: true });
    expect(wrong.fault).toBe('bad-arguments');
    expect(wrong.result.text).toMatch(/images\.0 must be string/);
    expect(wrong.result.text).toMatch(/unknown argument "extra"/);
    const k = await call('dataset_exemplars', { k: 99 });
    expect(k.result.text).toMatch(/k must be <= 15/);
    const none = await call('run_python', {});
    expect(none.fault).toBe('unknown-tool');
    expect(none.result.text).toMatch(/dataset_exemplars, call_unit, text2image/);
    const missing = await call('call_unit', { images: ['img-999'] });
    expect(missing.result).toMatchObject({ ok: false });
    expect(missing.result.text).toMatch(/no image "img-999"/);
  });
});

describe('dataset_exemplars', () => {
  it('gives the index\'s top images with activations that the model reproduces, masks and over-represented attributes', async () => {
    const { result } = await call('dataset_exemplars', { k: 8 });
    expect(result.ok).toBe(true);
    const data = result.data as { exemplars: Array<{ index: number; image: string; masked: string; activation: number }>; associations: Array<{ lift: number }> };
    expect(data.exemplars).toHaveLength(8);
    const acts = data.exemplars.map((e) => e.activation);
    expect([...acts].sort((a, b) => b - a)).toEqual(acts);
    const direct = await directMax(data.exemplars.map((e) => w.dataset.image(e.index)));
    direct.forEach((d, i) => expect(acts[i]).toBeCloseTo(d, 3));
    // no other scene of the dataset beats the last exemplar
    const all = await directMax(Array.from({ length: 300 }, (_, i) => w.dataset.image(i)));
    const inTop = new Set(data.exemplars.map((e) => e.index));
    all.forEach((v, i) => inTop.has(i) || expect(v).toBeLessThanOrEqual(acts[7] + 1e-4));
    expect(data.associations.every((a) => a.lift > 1)).toBe(true);
    // the masked copy: pixels outside the region are the original's × 0.25
    const e0 = data.exemplars[0];
    const orig = await ctx.images.pixelsOf(e0.image);
    const masked = await ctx.images.pixelsOf(e0.masked);
    let dimmed = 0;
    let kept = 0;
    for (let p = 0; p < orig.data.length; p++) {
      if (masked.data[p] === orig.data[p]) kept++;
      else if (Math.abs(masked.data[p] - Math.round(orig.data[p] * 0.25)) <= 1) dimmed++;
    }
    expect(dimmed + kept).toBeGreaterThan(orig.data.length * 0.99);
    expect(dimmed).toBeGreaterThan(orig.data.length * 0.1);
    expect(result.images.map((r) => r.id)).toEqual(data.exemplars.map((e) => e.masked));
    expect(result.images[0].caption).toMatch(/^masked scene: .+; activation \d/);
  });
});

describe('text2image', () => {
  it('names the words it does not know', async () => {
    const r = await call('text2image', { prompts: ['a flamingo sneaker', 'red bag'] });
    expect(r.result.ok).toBe(false);
    expect(r.result.text).toMatch(/"flamingo"/);
    expect(r.result.text).toMatch(/colours: red/);
  });

  it('draws seeded scenes that match the prompt, with the model\'s activation, and matched controls', async () => {
    const a = await call('text2image', { prompts: ['red striped trousers on grass', 'blue striped trousers on grass'], samples: 3 });
    const b = await call('text2image', { prompts: ['red striped trousers on grass'], samples: 3 });
    const rows = (a.result.data as { images: Array<{ image: string; activation: number; scene: { class: string; color: string; texture: string; background: string } }> }).images;
    expect(rows).toHaveLength(6);
    for (const r of rows.slice(0, 3)) expect(r.scene).toMatchObject({ class: 'trouser', color: 'red', texture: 'stripes', background: 'foliage' });
    // same prompt, same seed: the same scenes
    const again = (b.result.data as { images: Array<{ activation: number }> }).images;
    expect(again.map((r) => r.activation)).toEqual(rows.slice(0, 3).map((r) => r.activation));
    // sample i of both prompts is the same scene but for the colour
    const s0 = ctx.images.need(rows[0].image).spec!;
    const s3 = ctx.images.need(rows[3].image).spec!;
    expect({ ...s3, color: 'red', background: null }).toEqual({ ...s0, background: null });
    const direct = await directMax(await Promise.all(rows.map((r) => ctx.images.pixelsOf(r.image))));
    direct.forEach((d, i) => expect(rows[i].activation).toBeCloseTo(d, 3));
  });
});

describe('edit_images', () => {
  it('edits scenes one attribute at a time and re-renders them', async () => {
    const t = await call('text2image', { prompts: ['red plain trousers on a solid background'] });
    const id = (t.result.data as { images: Array<{ image: string }> }).images[0].image;
    const r = await call('edit_images', {
      images: [id],
      instructions: ['make it blue', 'add stripes', 'make it a bag', 'replace the background with grass', 'make the item smaller', 'move it left', 'cover the top half'],
    });
    expect(r.result.ok).toBe(true);
    const rows = (r.result.data as { results: Array<{ image: string; activation: number; sourceActivation: number }> }).results;
    const specs = rows.map((x) => ctx.images.need(x.image).spec!);
    const src = ctx.images.need(id).spec!;
    expect(specs[0]).toEqual({ ...src, color: 'blue' });
    expect(specs[1].texture.name).toBe('stripes');
    expect({ ...specs[1], texture: src.texture }).toEqual(src);
    expect(specs[2].class).toBe('bag');
    expect(specs[3].background.kind).toBe('photo');
    expect(ctx.images.need(rows[3].image).scene?.background).toBe('foliage');
    expect(specs[4].scale).toBeLessThan(src.scale);
    expect(specs[5].position[0]).toBeLessThanOrEqual(src.position[0]);
    expect(specs[6].post).toEqual([{ op: 'occlude', box: [0, 0, 64, 32], gray: 128 }]);
    // the pixels are the edited spec's rendering, and the activation is the model's on them
    const px = await ctx.images.pixelsOf(rows[0].image);
    expect(Array.from(px.data)).toEqual(Array.from(render(specs[0], w.banks).pixels));
    expect(rows[0].activation).toBeCloseTo((await directMax([px]))[0], 3);
    expect(rows[0].sourceActivation).toBeCloseTo((await directMax([await ctx.images.pixelsOf(id)]))[0], 3);
  });

  it('says which instructions it knows when it cannot carry one out, and pixel edits work on any image', async () => {
    const t = await call('text2image', { prompts: ['green dress'] });
    const id = (t.result.data as { images: Array<{ image: string }> }).images[0].image;
    const bad = await call('edit_images', { images: [id], instructions: ['make it dance'] });
    expect(bad.result.ok).toBe(false);
    expect(bad.result.text).toMatch(/cannot carry out "make it dance".*make it blue.*crop/s);
    const px = await call('edit_images', { images: [id], instructions: ['flip', 'grayscale', 'flip; make it blue'] });
    expect(px.result.ok).toBe(false);
    expect(px.result.text).toMatch(/is a scene edit/);
    const ok = await call('edit_images', { images: [id], instructions: ['flip', 'grayscale'] });
    const rows = (ok.result.data as { results: Array<{ image: string }> }).results;
    const orig = await ctx.images.pixelsOf(id);
    const flipped = await ctx.images.pixelsOf(rows[0].image);
    expect(flipped.data[0]).toBe(orig.data[63 * 3]);
    expect(ctx.images.need(rows[0].image).spec).toBeUndefined();
    const gray = await ctx.images.pixelsOf(rows[1].image);
    for (let p = 0; p < 64 * 64; p += 97) expect(gray.data[p * 3]).toBe(gray.data[p * 3 + 2]);
  });

  it('pixel edits: two flips are the identity, a hue shift of 360° keeps the image', () => {
    const img = { width: 64, height: 64, channels: 3 as const, data: render(sceneFromText('pink dotted coat on flowers', w.banks, 3).spec, w.banks).pixels };
    expect(Array.from(applyPixelEdit(applyPixelEdit(img, { op: 'flip', vertical: true }), { op: 'flip', vertical: true }).data)).toEqual(Array.from(img.data));
    const hue = applyPixelEdit(img, { op: 'hue', degrees: 360 });
    let d = 0;
    for (let i = 0; i < img.data.length; i++) d = Math.max(d, Math.abs(hue.data[i] - img.data[i]));
    expect(d).toBeLessThanOrEqual(1);
  });
});

describe('describe_images and summarize_images (built-in describer)', () => {
  it('says what lies in the highlighted region of scene images, and which describer spoke', async () => {
    const ex = await call('dataset_exemplars', { k: 6 });
    const rows = (ex.result.data as { exemplars: Array<{ masked: string; scene: { class: string } }> }).exemplars;
    const d = await call('describe_images', { images: rows.map((r) => r.masked) });
    expect(d.result.text.startsWith('[describer: built-in]')).toBe(true);
    const facts = (d.result.data as { facts: Array<{ region: string; itemShare: number; scene: { class: string } }> }).facts;
    expect(facts).toHaveLength(6);
    facts.forEach((f, i) => expect(f.scene.class).toBe(rows[i].scene.class));
    for (const f of facts) expect(['item', 'background', 'both', 'none']).toContain(f.region);
    const s = await call('summarize_images', { images: rows.map((r) => r.masked) });
    expect(s.result.text).toMatch(/\[describer: built-in\]\nMost common: /);
  });

  it('measures colours and texture of images without scene attributes', async () => {
    // a pure red/blue vertical-stripe image (period 8), as an upload
    const data = new Uint8Array(64 * 64 * 3);
    for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) data.set(x % 8 < 4 ? [220, 30, 30] : [40, 70, 220], (y * 64 + x) * 3);
    const up = await ctx.images.add({ width: 64, height: 64, channels: 3, data }, { origin: { kind: 'upload', name: 'stripes.png' } });
    const logitCtx = { ...ctx, subject: { kind: 'logit' as const, index: 0 } };
    const r = await runTool({ id: 'x', name: 'describe_images', arguments: JSON.stringify({ images: [up.id] }) }, logitCtx);
    const f = (r.result.data as { facts: Array<{ colors: Array<{ color: string; share: number }>; orientation: { degrees: number; coherence: number }; periodPx: number } > }).facts[0];
    expect(f.colors.map((c) => c.color).sort()).toEqual(['blue', 'red']);
    expect(f.colors[0].share).toBeCloseTo(0.5, 1);
    expect(f.orientation.coherence).toBeGreaterThan(0.9);
    expect(f.orientation.degrees).toBeCloseTo(90, 0);
    expect(f.periodPx).toBeCloseTo(8, 0);
  });
});

describe('the image store', () => {
  it('keeps images as PNG that decode to the same pixels', async () => {
    const img = { width: 5, height: 3, channels: 3 as const, data: Uint8Array.from({ length: 45 }, (_, i) => (i * 37) % 256) };
    expect(Array.from((await decodePng(await encodePng(img))).data)).toEqual(Array.from(img.data));
    const stored = await ctx.images.add(img);
    expect(Array.from((await decodePng(fromBase64(stored.png))).data)).toEqual(Array.from(img.data));
  });
});

describe('describe_images and summarize_images (a vision model)', () => {
  it("send the masked images as image parts to a model that sees them, and name it as the describer; its failure is a tool error", async () => {
    const server = await startScriptedServer({
      dialect: 'chat-completions',
      script: [
        { reply: 'text', text: 'img-a: a striped trouser leg\nimg-b: a striped trouser leg' },
        { reply: 'text', text: 'Striped trousers, the stripes inside the bright regions.' },
        { reply: 'status', status: 400, message: 'this model does not accept images' },
      ],
    });
    try {
      const client = createClient({ kind: 'openai', baseUrl: server.baseUrl, model: 'scripted-vlm', seesImages: true });
      const vctx: ToolContext = { ...ctx, vision: { client, name: 'scripted-vlm' } };
      const ex = await runTool({ id: 'e', name: 'dataset_exemplars', arguments: JSON.stringify({ k: 2 }) }, vctx);
      const masked = (ex.result.data as { exemplars: Array<{ masked: string }> }).exemplars.map((r) => r.masked);
      const d = await runTool({ id: 'd', name: 'describe_images', arguments: JSON.stringify({ images: masked }) }, vctx);
      expect(d.result.ok).toBe(true);
      expect(d.result.text).toBe('[describer: vision:scripted-vlm]\nimg-a: a striped trouser leg\nimg-b: a striped trouser leg');
      const s = await runTool({ id: 's', name: 'summarize_images', arguments: JSON.stringify({ images: masked }) }, vctx);
      expect(s.result.text).toMatch(/^\[describer: vision:scripted-vlm\]\nStriped trousers/);
      // Each call carried the instructions and every masked image, as PNG image parts.
      const [first, second] = server.chatRequests();
      expect(first.images).toHaveLength(2);
      expect(second.images).toHaveLength(2);
      expect(JSON.stringify(first.body)).toMatch(/describe in one short line only what lies inside the bright region/);
      const failed = await runTool({ id: 'f', name: 'describe_images', arguments: JSON.stringify({ images: masked }) }, vctx);
      expect(failed.result.ok).toBe(false);
      expect(failed.result.text).toMatch(/The vision describer failed/);
    } finally {
      await server.close();
    }
  });
});
