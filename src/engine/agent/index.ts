/**
 * The interpretability agent (MAIA) for the worker's agent host and `lab agent`: the loop, the
 * tools and their specs, the image store, transcripts, the offline planner and synthetic units.
 * The shared shapes are in ./types.ts; the remote backends in ./clients/.
 */
export * from './types';
export { AgentRun, DEFAULT_MAX_FAILURES, DEFAULT_ROUNDS, faultOf, type AgentRunOptions, type RunState } from './loop';
export { ImageStore, MAX_STORE_IMAGES, type ImageMeta } from './imageStore';
export { TOOLS, TOOL_SPECS, TOOLSET_VERSION, ToolError, runTool, type ExemplarSource, type Tool, type ToolContext, type ToolOutput, type ToolProgress, type ToolRun, type VisionDescriber } from './tools';
export { indexingExemplars } from './tools/exemplarSource';
export { TRANSCRIPT_SCHEMA, parseTranscript, replayTranscript, rerunToolCalls, stringifyTranscript, toTranscript, type RerunCheck, type TranscriptMeta } from './transcript';
export { OfflinePlanner, createOfflineClient, type OfflineOptions } from './clients/offline';
export { syntheticExemplars, syntheticLabel, syntheticValue, type Concept, type SyntheticUnit } from './synthetic';
export { parseFinal, parseHypotheses, systemPrompt, taskPrompt } from './prompts';
