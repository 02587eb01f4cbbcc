/**
 * `lab.experiment/1`: a shared experiment as a file (`*.labexp.json`). The link's state (the hash,
 * written by the one URL codec) plus what a link cannot hold — images, a circuit with its causal
 * results, an agent transcript, an exemplar index — each with the sha256 of its content, and the
 * model by sha256 (+ its address when it came from one). Plain JSON; documented in docs/experiment-files.md.
 */
import type { Circuit } from '../circuits/types';
import type { AgentTranscript } from '../agent/types';

export const EXPERIMENT_SCHEMA = 'lab.experiment/1';
/** Files larger than this are refused before they are read. */
export const MAX_EXPERIMENT_BYTES = 100 * 1024 * 1024;

/** Where an image belongs in the view it restores. */
export type ExperimentImageRole = 'try' | 'upscale-lr' | 'upscale-hr' | 'upscale-truth' | 'concept';

/** An image as raw 8-bit pixels (row-major, `channels` per pixel), base64, hashed over the raw bytes. */
export interface ExperimentImage {
  role: ExperimentImageRole;
  name: string;
  width: number;
  height: number;
  channels: 3 | 4;
  /** base64 of the width × height × channels bytes. */
  data: string;
  sha256: string;
}

/** A JSON payload and the sha256 of its canonical JSON (keys sorted, no spaces). */
export interface Hashed<T> {
  sha256: string;
  value: T;
}

export interface ExperimentModelRef {
  /** Display name ("scenes-balanced", "resnet18.onnx"). */
  name: string;
  sha256: string;
  /** The address it was loaded from, when it was (a built-in id is in the link instead). */
  url?: string;
  builtin?: string;
}

export interface ExperimentFile {
  schema: typeof EXPERIMENT_SCHEMA;
  /** ISO time of export. */
  created: string;
  /** The link's state: a location hash as the URL codec writes it ("#/exemplars?v=1&…"). */
  link: string;
  /** Short text the exporter wrote ("unit 3 of conv2"); shown as text, never as HTML. */
  title?: string;
  model: ExperimentModelRef;
  dataset?: { id: string; sha256?: string };
  images?: ExperimentImage[];
  circuit?: Hashed<Circuit>;
  transcript?: Hashed<AgentTranscript>;
  /** An exemplar index file (`lab exemplars --out`), base64, hashed over its bytes. */
  exemplarIndex?: { name: string; bytes: number; data: string; sha256: string };
}
