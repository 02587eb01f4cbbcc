/**
 * Dataset shards of the scene world: `<name>.u8` (N×64×64×3 uint8, HWC per image) and
 * `<name>.json` (ShardIndex: counts, seed, variant, split, classes, per-image attributes with
 * their full specs, provenance). Generation is deterministic: scene i depends only on
 * (seed, split, i, variant), not on the count, so the first k scenes of any count agree.
 *
 * Variants: `balanced` draws the background kind independently of the class; `spurious` pairs
 * each class with one kind (SPURIOUS_MAP) in 95% of TRAIN scenes. Test scenes are always
 * balanced, and identical between variants. The balanced and spurious train sets share items,
 * colours, textures and placements scene by scene; only the background kinds differ.
 */
import { itemBank, type SynthBanks } from '../synth/banks';
import { SPURIOUS_MAP, SPURIOUS_RATE, spuriousPolicy, type BackgroundPolicy } from '../synth/policy';
import { render, type RenderResult } from '../synth/render';
import { Rng, hashSeed } from '../synth/rng';
import { completeSpec } from '../synth/sample';
import type { ItemSplit, SceneAttributes, SceneSpec } from '../synth/spec';
import { BACKGROUND_KINDS, CANVAS, CLASSES, type BackgroundKind, type ClassName } from '../synth/vocabulary';

export const SHARD_VERSION = 1;
/** Bump when the renderer's output bytes change (goldens in tests/synth follow). */
export const SYNTH_GENERATOR_VERSION = 1;

export type DatasetVariant = 'balanced' | 'spurious';

export interface DatasetOptions {
  split: ItemSplit;
  variant: DatasetVariant;
  /** Number of scenes (default: the size of the split's item bank, 60000 or 10000). */
  count?: number;
  seed: number;
  /** Share of spurious train scenes on their class's paired kind (default 0.95). */
  spuriousRate?: number;
}

export interface ShardIndex {
  version: number;
  name: string;
  count: number;
  height: number;
  width: number;
  channels: 3;
  layout: 'NHWC uint8';
  seed: number;
  variant: DatasetVariant;
  split: ItemSplit;
  classes: readonly ClassName[];
  backgroundKinds: readonly BackgroundKind[];
  /** Class → paired background kind and its rate (train split of the spurious variant only). */
  spurious: { map: Record<ClassName, BackgroundKind>; rate: number } | null;
  attributes: SceneAttributes[];
  provenance: Record<string, unknown>;
  /** sha256 of the .u8 bytes, when the writer computed it. */
  sha256?: string;
}

export interface Shard {
  index: ShardIndex;
  pixels: Uint8Array;
}

const SPLIT_CODE: Record<ItemSplit, number> = { train: 1, test: 2 };
const SCENE_BYTES = CANVAS * CANVAS * 3;

export function shardName(o: Pick<DatasetOptions, 'split' | 'variant'>): string {
  return `fmnist-scenes-${o.variant}-${o.split}`;
}

export function datasetPolicy(o: DatasetOptions): BackgroundPolicy {
  return o.split === 'train' && o.variant === 'spurious' ? spuriousPolicy(o.spuriousRate ?? SPURIOUS_RATE) : { mode: 'independent' };
}

export function datasetCount(o: DatasetOptions, banks: SynthBanks): number {
  return o.count ?? itemBank(banks, o.split).count;
}

/** The spec of scene i: item i of the split's bank (wrapping), the rest from the scene seed. */
export function sceneSpecAt(o: DatasetOptions, i: number, banks: SynthBanks): SceneSpec {
  const bank = itemBank(banks, o.split);
  const rng = new Rng(hashSeed(o.seed, SPLIT_CODE[o.split], i));
  return completeSpec({ split: o.split, itemIndex: i % bank.count }, rng, banks, datasetPolicy(o));
}

/** Scenes [start, end) one by one (for streaming writers). */
export function* generateScenes(
  o: DatasetOptions,
  banks: SynthBanks,
  start = 0,
  end = datasetCount(o, banks),
): Generator<RenderResult & { index: number }> {
  for (let i = start; i < end; i++) yield { index: i, ...render(sceneSpecAt(o, i, banks), banks) };
}

export function makeShardIndex(o: DatasetOptions, attributes: SceneAttributes[], banks: SynthBanks): ShardIndex {
  const policy = datasetPolicy(o);
  const licences = [...new Set(banks.backgrounds.crops.map((c) => c.licence))].sort();
  return {
    version: SHARD_VERSION,
    name: shardName(o),
    count: attributes.length,
    height: CANVAS,
    width: CANVAS,
    channels: 3,
    layout: 'NHWC uint8',
    seed: o.seed,
    variant: o.variant,
    split: o.split,
    classes: CLASSES,
    backgroundKinds: BACKGROUND_KINDS,
    spurious: policy.mode === 'spurious' ? { map: { ...policy.map }, rate: policy.rate } : null,
    attributes,
    provenance: {
      generator: 'src/engine/synth (render) + src/engine/data/shards.ts (generateDataset)',
      generatorVersion: SYNTH_GENERATOR_VERSION,
      items: {
        dataset: 'Fashion-MNIST (Zalando Research), MIT licence',
        split: o.split,
        source:
          o.split === 'test'
            ? 'assets/fmnist-test.bin.gz (from Debian dataset-fashion-mnist)'
            : 'Debian dataset-fashion-mnist: /usr/share/datasets/fashion-mnist/train-*-ubyte.gz',
        itemIndex: 'scene i uses item i (mod the bank size)',
      },
      backgrounds: {
        source: 'assets/backgrounds.bin.gz + assets/backgrounds.json (crops of Debian wallpaper photographs)',
        crops: banks.backgrounds.count,
        sha256Raw: banks.backgrounds.manifest.sha256Raw,
        licences,
      },
      spuriousMapDefault: SPURIOUS_MAP,
    },
  };
}

/** Generates a whole dataset in memory (use generateScenes to stream large ones). */
export function generateDataset(o: DatasetOptions, banks: SynthBanks): Shard {
  const n = datasetCount(o, banks);
  const pixels = new Uint8Array(n * SCENE_BYTES);
  const attributes: SceneAttributes[] = [];
  for (const s of generateScenes(o, banks, 0, n)) {
    pixels.set(s.pixels, s.index * SCENE_BYTES);
    attributes.push(s.attributes);
  }
  return { index: makeShardIndex(o, attributes, banks), pixels };
}

export function encodeShardIndex(index: ShardIndex): string {
  return JSON.stringify(index);
}

/** Validates an index against its pixel bytes. */
export function parseShard(index: string | ShardIndex, pixels: Uint8Array): Shard {
  const ix = (typeof index === 'string' ? JSON.parse(index) : index) as ShardIndex;
  if (ix.version !== SHARD_VERSION) throw new Error(`Shard index version ${String(ix.version)} is not supported (want ${SHARD_VERSION}).`);
  if (!Number.isInteger(ix.count) || ix.count < 0) throw new Error('Shard index has no valid count.');
  const per = ix.height * ix.width * 3;
  if (pixels.length !== ix.count * per) {
    throw new Error(`Shard ${ix.name}: ${pixels.length} bytes, but ${ix.count}×${ix.height}×${ix.width}×3 = ${ix.count * per} expected.`);
  }
  if (!Array.isArray(ix.attributes) || ix.attributes.length !== ix.count) throw new Error(`Shard ${ix.name}: attributes do not match count.`);
  return { index: ix, pixels };
}

/** Image i of a shard (a view, HWC). */
export function shardImage(shard: Shard, i: number): Uint8Array {
  const per = shard.index.height * shard.index.width * 3;
  if (i < 0 || i >= shard.index.count) throw new Error(`Shard ${shard.index.name} has no image ${i}.`);
  return shard.pixels.subarray(i * per, (i + 1) * per);
}
