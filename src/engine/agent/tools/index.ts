/**
 * The agent's tools: one spec (JSON Schema, versioned) and one implementation each. The specs
 * are the single source for the system prompt, argument validation (ajv), the panel's tool docs
 * and the offline planner. `runTool` turns every failure — bad JSON, an unknown tool, arguments
 * that fail the schema, a tool's own error — into a failed tool result the model reads.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { LabError } from '../../errors';
import type { AgentFaultCode, ToolCall, ToolResult, ToolSpec } from '../types';
import { callUnit } from './callUnit';
import { ToolError, type Tool, type ToolContext } from './context';
import { datasetExemplars } from './datasetExemplars';
import { describeImages, summarizeImages } from './describeImages';
import { editImages } from './editImages';
import { text2image } from './text2image';

export { ToolError } from './context';
export type { ExemplarSource, Tool, ToolContext, ToolOutput, ToolProgress, VisionDescriber } from './context';

/** Version of the tool set as a whole: bumped when any tool's version changes. */
export const TOOLSET_VERSION = 1;

export const TOOLS: readonly Tool<never>[] = [datasetExemplars, callUnit, text2image, editImages, describeImages, summarizeImages] as unknown as Tool<never>[];

export const TOOL_SPECS: readonly ToolSpec[] = TOOLS.map((t) => t.spec);

const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: true });
const validators = new Map<string, ValidateFunction>(TOOLS.map((t) => [t.spec.name, ajv.compile(t.spec.parameters)]));

function schemaErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 5)
    .map((e) => {
      const at = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'arguments';
      if (e.keyword === 'additionalProperties') return `${at}: unknown argument "${String(e.params.additionalProperty)}"`;
      return `${at} ${e.message ?? 'is invalid'}`;
    })
    .join('; ');
}

export interface ToolRun {
  result: ToolResult;
  /** Set when the call itself was at fault (the loop shows it as an event). */
  fault?: AgentFaultCode;
}

/** Parses, validates and runs one call. Cancellation propagates (it is not the model's fault). */
export async function runTool(call: ToolCall, ctx: ToolContext, tools: readonly Tool<never>[] = TOOLS): Promise<ToolRun> {
  const fail = (text: string, fault?: AgentFaultCode): ToolRun => ({ result: { callId: call.id, name: call.name, ok: false, text, images: [] }, fault });
  const tool = tools.find((t) => t.spec.name === call.name);
  if (!tool) return fail(`There is no tool "${call.name.slice(0, 60)}". The tools are: ${tools.map((t) => t.spec.name).join(', ')}.`, 'unknown-tool');
  let args: unknown;
  try {
    args = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
  } catch (err) {
    return fail(`The arguments of ${call.name} are not valid JSON (${err instanceof Error ? err.message : String(err)}). Send one JSON object.`, 'bad-tool-json');
  }
  const validate = validators.get(tool.spec.name) ?? ajv.compile(tool.spec.parameters);
  if (!validate(args)) return fail(`Arguments of ${call.name} do not fit its schema: ${schemaErrors(validate.errors)}.`, 'bad-arguments');
  try {
    const out = await (tool as unknown as Tool<unknown>).run(args, ctx);
    return { result: { callId: call.id, name: call.name, ok: true, ...out } };
  } catch (err) {
    if (err instanceof LabError && err.code === 'cancelled') throw err;
    if (ctx.signal?.aborted) throw new LabError('cancelled', 'Cancelled');
    if (err instanceof ToolError || err instanceof LabError) return fail(`${call.name} failed: ${err.message}`);
    return fail(`${call.name} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
