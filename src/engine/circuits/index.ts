/** Circuits: concept → circuit (CLA, ablation), causal tests, edits. See ./types.ts for the contract. */
export type * from './types';
export { discoverCircuit, checkImages, MAX_EXAMPLES } from './discover';
export { defaultCircuitLayers, blockOutputs, resolveCircuitLayers } from './layers';
export { applyEdits, joiningConv, shapesOfLayers, type EditShapes } from './edits';
export { splitConcept, restOf } from './concept';
export { makeSpec, SPEC_DEFAULTS } from './spec';
