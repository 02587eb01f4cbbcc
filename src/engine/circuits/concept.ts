/**
 * Which dataset images a concept uses: the images that pass its filter, in dataset order, split
 * into discovery examples and held-out examples (never the same image), and the contrast images.
 * Plain index arithmetic, so the tab and `lab circuit` pick the same images for the same spec.
 */
import { LabError } from '../errors';

export interface ConceptSplit {
  discovery: number[];
  heldOut: number[];
  contrast: number[];
}

/**
 * `matching`: dataset indices passing the concept's filter (ascending); `contrastPool`: indices
 * the contrast may use (another filter's, or the rest), ascending. The first `examples` matching
 * images are the discovery set, the next `heldOut` the held-out set; when fewer match, they are
 * shared in proportion (at least 2 for discovery). The contrast takes max(examples, heldOut).
 */
export function splitConcept(matching: readonly number[], contrastPool: readonly number[], examples: number, heldOut: number): ConceptSplit {
  if (matching.length === 0) throw new LabError('bad-request', 'The concept matches no images in the dataset: widen the filter or pick another dataset.');
  if (matching.length === 1) throw new LabError('bad-request', `The concept matches one image (#${matching[0]}); a circuit needs at least 2 example images.`);
  let d = examples;
  let h = heldOut;
  if (matching.length < examples + heldOut) {
    d = Math.max(2, Math.min(examples, Math.round((matching.length * examples) / (examples + heldOut))));
    h = Math.min(heldOut, matching.length - d);
  }
  const taken = new Set(matching.slice(0, d + h));
  const contrast = contrastPool.filter((i) => !taken.has(i)).slice(0, Math.max(examples, heldOut));
  return { discovery: matching.slice(0, d), heldOut: matching.slice(d, d + h), contrast };
}

/** The indices of [0, count) not in `matching` (ascending): the "rest of the dataset". */
export function restOf(count: number, matching: readonly number[]): number[] {
  const skip = new Set(matching);
  const out: number[] = [];
  for (let i = 0; i < count; i++) if (!skip.has(i)) out.push(i);
  return out;
}
