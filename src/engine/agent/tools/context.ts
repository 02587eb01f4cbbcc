/**
 * What every tool runs against (the worker's agent host and `lab agent` both build one): the
 * model, the subject unit, the scene world, an exemplar source, the run's image store, the seed,
 * progress and a cancel signal. Tools are plain async functions over this context.
 */
import type { SceneDataset } from '../../data/datasets';
import type { Ranked } from '../../exemplars/topk';
import type { ThresholdRule } from '../../exemplars/maps';
import type { LoadedModel } from '../../lab/loadedModel';
import type { SynthBanks } from '../../synth/banks';
import type { ImageStore } from '../imageStore';
import type { SyntheticUnit } from '../synthetic';
import type { AgentSubject, ChatClient, JsonSchema, ToolResult, ToolSpec } from '../types';

export interface ToolProgress {
  tool: string;
  done: number;
  total: number;
  message: string;
}

/** Top exemplars of a unit: dataset indices with the unit's spatial max, best first. */
export interface ExemplarSource {
  top(layer: string, unit: number, k: number, opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void }): Promise<Ranked[]>;
}

/** A vision-language backend for describe_images / summarize_images (one that sees images). */
export interface VisionDescriber {
  client: ChatClient;
  /** Model name, reported as the describer. */
  name: string;
}

export interface ToolContext {
  model: LoadedModel;
  subject: AgentSubject;
  /** Item and background banks: text2image and scene edits draw with them. */
  banks: SynthBanks;
  /** The scene dataset the exemplars come from (its facets give base rates and the describer's facts). */
  dataset?: SceneDataset;
  exemplars?: ExemplarSource;
  images: ImageStore;
  seed: number;
  /** Mask threshold for masked images (default: half of each map's maximum, as MAIA). */
  threshold?: ThresholdRule;
  vision?: VisionDescriber;
  /** A synthetic unit measured in place of the model (synthetic.ts). */
  synthetic?: SyntheticUnit;
  onProgress?: (p: ToolProgress) => void;
  signal?: AbortSignal;
}

/** A tool's output before the loop adds the call id. */
export type ToolOutput = Omit<ToolResult, 'callId' | 'name' | 'ok'>;

/** One tool: its spec (schema + version) and its implementation over validated arguments. */
export interface Tool<A = Record<string, unknown>> {
  spec: ToolSpec & { parameters: JsonSchema };
  run(args: A, ctx: ToolContext): Promise<ToolOutput>;
}

/** An error a tool reports to the model as a failed tool result (what went wrong, what it accepts). */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}
