/**
 * Failure discovery: the agent probes a classifier's logits over the scene grammar's groups
 * (class × background kind, class × colour) with text2image, and checks each suspect with
 * edit_images (the same scenes moved onto the group's background or colour from a neutral one),
 * then reports the groups it predicts to be misclassified. Its top five are scored against the
 * five worst groups measured on the test scenes (precision@5), per group family.
 */
import type { SceneDataset } from '../../data/datasets';
import type { LoadedModel } from '../../lab/loadedModel';
import type { SynthBanks } from '../../synth/banks';
import { BACKGROUND_KINDS, CLASSES, COLORS } from '../../synth/vocabulary';
import { ImageStore } from '../imageStore';
import { editImages } from '../tools/editImages';
import { text2image } from '../tools/text2image';
import type { ToolContext } from '../tools/context';
import { groupAccuracies, modelPredictions, type GroupAccuracy } from './groups';

export type GroupFamily = 'background' | 'colour';

export interface GroupProbe {
  group: string;
  /** Share of the group's generated scenes the classifier gets wrong, and its mean true-class logit margin (true − best other). */
  errorRate: number;
  margin: number;
  samples: number;
}

export interface FamilyReport {
  family: GroupFamily;
  predicted: GroupProbe[];
  /** The five worst test groups, and every group tied with the fifth (many groups of a shortcut model sit at 0%). */
  worst: GroupAccuracy[];
  worstTied: number;
  /** Share of the agent's top five among the worst groups (ties with the fifth count as worst). */
  precisionAt5: number;
  /** The same share for five groups drawn at random: worst groups (with ties) over all groups. */
  chance: number;
}

export interface FailureReport {
  schema: 'lab.agent-eval.failures/1';
  model: string;
  seed: number;
  samples: number;
  test: number;
  families: FamilyReport[];
  toolCalls: number;
  ms: number;
}

export interface FailureOptions {
  model: LoadedModel;
  name: string;
  banks: SynthBanks;
  dataset: SceneDataset;
  seed: number;
  /** text2image samples per group. */
  samples?: number;
  /** Test scenes (default: the whole dataset). */
  pool?: number[];
  signal?: AbortSignal;
  onStage?: (stage: string) => void;
}

const PROCEDURAL = ['solid', 'gradient', 'stripes', 'dots', 'noise'];
const bgWords = (kind: string) => (PROCEDURAL.includes(kind) ? `a ${kind} background` : kind);

function groupsOf(family: GroupFamily): Array<{ group: string; prompt: string; cls: number; edit: string; neutral: string }> {
  const out = [];
  for (const [cls, name] of CLASSES.entries()) {
    if (family === 'background') {
      for (const kind of BACKGROUND_KINDS) out.push({ group: `${name} on ${kind}`, prompt: `${name} on ${bgWords(kind)}`, cls, edit: `replace the background with ${bgWords(kind)}`, neutral: `${name}` });
    } else {
      for (const c of COLORS) out.push({ group: `${c} ${name}`, prompt: `${c} ${name}`, cls, edit: `make it ${c}`, neutral: `${name}` });
    }
  }
  return out;
}

/** Error rate and margin of the classifier on images of one true class, from the stored images' pixels. */
async function judge(model: LoadedModel, store: ImageStore, ids: string[], cls: number, signal?: AbortSignal): Promise<{ wrong: number; margin: number }> {
  const pixels = await Promise.all(ids.map((id) => store.pixelsOf(id)));
  const t = await model.logits(pixels, signal);
  const C = t.dims[1];
  let wrong = 0;
  let margin = 0;
  for (let n = 0; n < ids.length; n++) {
    let other = -Infinity;
    for (let k = 0; k < C; k++) if (k !== cls) other = Math.max(other, t.data[n * C + k]);
    const m = t.data[n * C + cls] - other;
    if (m < 0) wrong++;
    margin += m / ids.length;
  }
  return { wrong, margin };
}

/** The agent's probes of one family: text2image per group, then edit_images onto neutral scenes as a second, matched sample. */
async function probeFamily(opts: FailureOptions, family: GroupFamily, images: ImageStore): Promise<{ probes: GroupProbe[]; toolCalls: number }> {
  const samples = opts.samples ?? 4;
  const probes: GroupProbe[] = [];
  let toolCalls = 0;
  const groups = groupsOf(family);
  for (const [cls] of CLASSES.entries()) {
    const mine = groups.filter((g) => g.cls === cls);
    // the subject is the true class's logit: what the tools report back is the evidence the agent reads
    const ctx: ToolContext = { model: opts.model, subject: { kind: 'logit', index: cls }, banks: opts.banks, images, seed: opts.seed, ...(opts.signal ? { signal: opts.signal } : {}) };
    const drawn = await text2image.run({ prompts: mine.map((g) => g.prompt), samples }, ctx);
    const neutral = await text2image.run({ prompts: [mine[0].neutral], samples }, ctx);
    toolCalls += 2;
    const neutralIds = (neutral.data as { images: Array<{ image: string }> }).images.map((r) => r.image);
    const edited = await editImages.run({ images: neutralIds, instructions: mine.map((g) => g.edit) }, ctx);
    toolCalls++;
    const drawnRows = (drawn.data as { images: Array<{ prompt: string; image: string }> }).images;
    const editRows = (edited.data as { results: Array<{ instruction: string; image: string }> }).results;
    for (const g of mine) {
      const ids = [...drawnRows.filter((r) => r.prompt === g.prompt).map((r) => r.image), ...editRows.filter((r) => r.instruction === g.edit).map((r) => r.image)];
      const { wrong, margin } = await judge(opts.model, images, ids, cls, opts.signal);
      probes.push({ group: g.group, errorRate: wrong / ids.length, margin, samples: ids.length });
    }
  }
  // most often wrong first; the lower margin breaks ties
  probes.sort((a, b) => b.errorRate - a.errorRate || a.margin - b.margin || a.group.localeCompare(b.group));
  return { probes, toolCalls };
}

function testGroup(ds: SceneDataset, i: number, family: GroupFamily): string {
  const f = ds.facets[i];
  return family === 'background' ? `${f.class} on ${f.background.kind}` : `${f.color} ${f.class}`;
}

export async function failureDiscovery(opts: FailureOptions): Promise<FailureReport> {
  const t0 = performance.now();
  const pool = opts.pool ?? [...Array(opts.dataset.count).keys()];
  opts.onStage?.(`${opts.name}: predictions on ${pool.length} test scenes`);
  const pred = await modelPredictions(opts.model, opts.dataset, pool, opts.signal);
  const truth = pool.map((i) => CLASSES.indexOf(opts.dataset.facets[i].class as (typeof CLASSES)[number]));
  const families: FamilyReport[] = [];
  let toolCalls = 0;
  for (const family of ['background', 'colour'] as const) {
    opts.onStage?.(`${opts.name}: probing ${family} groups`);
    const images = new ImageStore();
    const { probes, toolCalls: calls } = await probeFamily(opts, family, images);
    toolCalls += calls;
    const measured = groupAccuracies(pred, truth, pool.map((i) => testGroup(opts.dataset, i, family)));
    const cut = measured[Math.min(4, measured.length - 1)]?.accuracy ?? 0;
    const worstSet = new Set(measured.filter((g) => g.accuracy <= cut).map((g) => g.group));
    // only groups the test set measures (≥ 20 scenes) can be scored
    const top = probes.filter((p) => measured.some((g) => g.group === p.group)).slice(0, 5);
    const hits = top.filter((p) => worstSet.has(p.group)).length;
    families.push({ family, predicted: top, worst: measured.slice(0, 5), worstTied: worstSet.size, precisionAt5: hits / 5, chance: worstSet.size / measured.length });
  }
  return { schema: 'lab.agent-eval.failures/1', model: opts.name, seed: opts.seed, samples: opts.samples ?? 4, test: pool.length, families, toolCalls, ms: Math.round(performance.now() - t0) };
}
