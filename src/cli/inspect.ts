/** `lab inspect MODEL.onnx [--json]`: the model summary (inputs, preprocessing, ops, layers). */
import type { Parsed } from './args';
import { JSON_OPTION, PREPROCESS_OPTIONS, THREADS_OPTION, usageError, type CommandHelp } from './command';
import { formatInspect, inspectJson } from './format';
import { openModel } from './modelArgs';

export const INSPECT_HELP: CommandHelp = {
  name: 'inspect',
  summary: 'summarise a model: image input, preprocessing, op histogram and every layer',
  usage: ['lab inspect MODEL.onnx [--size H,W] [--mean r,g,b] [--std r,g,b] [--json]'],
  args: [{ name: 'MODEL.onnx', help: 'an ONNX vision model with an NCHW 3-channel float input' }],
  options: [...PREPROCESS_OPTIONS, THREADS_OPTION, JSON_OPTION],
  examples: ['npx lab inspect models/scenes-balanced.onnx', 'npx lab inspect models/placeholder-fmnist.onnx --json'],
  notes: ['Layers are graph tensors with a channel axis, found by a dry run; other commands take their tensor name or the label printed here.'],
};

export async function inspectCommand(args: Parsed): Promise<number> {
  if (args.positionals.length !== 1) throw usageError(INSPECT_HELP, 'lab inspect takes one MODEL.onnx');
  const model = await openModel(args.positionals[0], args);
  try {
    console.log(args.options.has('json') ? JSON.stringify(inspectJson(model.summary), null, 2) : formatInspect(model.summary));
  } finally {
    await model.release();
  }
  return 0;
}
