/**
 * `lab grad MODEL IMAGE --target layer:unit|logit:class [--reduce sum|mean] [--wrt input|LAYER]
 * --out FILE.npy` — the gradient of a unit (spatial sum or mean of its channel) or a class logit
 * with respect to the model input or a layer, for one image, written as a float32 .npy in the
 * shape of the wrt tensor (batch 1). Preprocessing as `lab run` (--size, --mean, --std).
 */
import { writeFileSync } from 'node:fs';
import { imagesToTensor } from '../engine/data/preprocess';
import { LabError } from '../engine/errors';
import type { LoadedModel } from '../engine/lab/loadedModel';
import { gradientModel, type GradientTarget } from '../engine/onnx/backward';
import { encodeModel } from '../engine/onnx/model';
import { nodeRuntime } from '../engine/runtime/node';
import type { Layer } from '../engine/types';
import type { Parsed } from './args';
import { JSON_OPTION, PREPROCESS_OPTIONS, THREADS_OPTION, usageError, type CommandHelp } from './command';
import { decodeImageFile } from './decode';
import { encodeNpy } from './npy';

export const GRAD_HELP: CommandHelp = {
  name: 'grad',
  summary: 'the gradient of a unit or a class logit w.r.t. the input or a layer, as a float32 .npy',
  usage: ['lab grad MODEL.onnx IMAGE --target LAYER:UNIT|logit:CLASS [--reduce sum|mean] [--wrt input|LAYER] --out FILE.npy [--size H,W] [--mean r,g,b] [--std r,g,b] [--json]'],
  args: [
    { name: 'MODEL.onnx', help: 'the model (differentiated through a backward graph built in the engine)' },
    { name: 'IMAGE', help: 'one PNG or JPEG, preprocessed as `lab run` does' },
  ],
  options: [
    { name: 'target', value: 'LAYER:UNIT|logit:CLASS', help: "what is differentiated: a unit's channel (spatially reduced) or a class logit; required" },
    { name: 'reduce', value: 'sum|mean', help: "how a unit's channel is reduced over space (default sum)" },
    { name: 'wrt', value: 'input|LAYER', help: 'the tensor the gradient is taken with respect to (default input)' },
    { name: 'out', value: 'FILE.npy', help: 'where the gradient is written, float32 in the shape of the wrt tensor (batch 1); required' },
    ...PREPROCESS_OPTIONS,
    THREADS_OPTION,
    JSON_OPTION,
  ],
  examples: ['npx lab grad models/scenes-balanced.onnx public/samples/scenes/0-ankle-boot.png --target stage3.block0.relu2:3 --out grad.npy'],
};

export interface GradDeps {
  openModel: (path: string, args: Parsed) => Promise<LoadedModel>;
  resolveLayers: (summary: LoadedModel['summary'], spec: string) => Layer[];
}

/** "--target" → a gradient target: "logit:3", or "LAYER:UNIT" (layer by tensor name or label). */
export function parseTarget(spec: string, model: LoadedModel, reduce: 'sum' | 'mean', deps: GradDeps): Extract<GradientTarget, { kind: 'unit' | 'logit' }> {
  const at = spec.lastIndexOf(':');
  if (at <= 0 || at === spec.length - 1) throw new LabError('bad-request', `--target takes LAYER:UNIT or logit:CLASS, got "${spec}".`);
  const head = spec.slice(0, at);
  const n = Number(spec.slice(at + 1));
  if (head === 'logit') {
    const classes = Number(model.summary.outputs[0]?.shape.at(-1));
    if (!Number.isInteger(n) || n < 0 || (Number.isInteger(classes) && n >= classes)) throw new LabError('bad-request', `Class "${spec.slice(at + 1)}" is not in 0..${classes - 1}.`);
    return { kind: 'logit', index: n };
  }
  const [layer] = deps.resolveLayers(model.summary, head);
  if (!Number.isInteger(n) || n < 0 || n >= layer.channels) throw new LabError('bad-request', `Unit "${spec.slice(at + 1)}" is not in 0..${layer.channels - 1} for ${layer.label}.`);
  return { kind: 'unit', tensor: layer.tensor, unit: n, reduce, ...(layer.tokens ? { tokens: layer.tokens } : {}) };
}

export async function gradCommand(args: Parsed, json: boolean, deps: GradDeps): Promise<number> {
  const [modelPath, imagePath, ...extra] = args.positionals;
  const targetSpec = args.options.get('target');
  const out = args.options.get('out');
  if (!modelPath || !imagePath || extra.length || typeof targetSpec !== 'string' || typeof out !== 'string') {
    throw usageError(GRAD_HELP, 'lab grad takes MODEL.onnx IMAGE --target … --out FILE.npy');
  }
  const reduce = args.options.get('reduce') ?? 'sum';
  if (reduce !== 'sum' && reduce !== 'mean') throw usageError(GRAD_HELP, '--reduce takes sum or mean');
  const image = decodeImageFile(imagePath);
  const model = await deps.openModel(modelPath, args);
  try {
    const target = parseTarget(targetSpec, model, reduce, deps);
    const wrtSpec = args.options.get('wrt');
    const input = model.summary.imageInput.name;
    const wrt = wrtSpec === undefined || wrtSpec === 'input' ? input : typeof wrtSpec === 'string' ? deps.resolveLayers(model.summary, wrtSpec)[0].tensor : input;
    const p = model.summary.preprocess;
    const x = imagesToTensor([image], p);
    const runtime = nodeRuntime();
    // Models with a symbolic image size are differentiated at the preprocessing size.
    const fixed = model.summary.imageInput.height !== null && model.summary.imageInput.width !== null;
    const built = await gradientModel(runtime, model.model, { target, wrt: [wrt] }, fixed ? {} : { inputDims: { [input]: [2, 3, p.size[0], p.size[1]] } });
    const session = await runtime.createSession(encodeModel(built.model));
    let grad;
    let value;
    try {
      const res = await session.run({ [input]: x }, { outputs: [built.outputs.grads[wrt], built.outputs.target] });
      grad = res[built.outputs.grads[wrt]];
      value = res[built.outputs.target].data[0];
    } finally {
      await session.release();
    }
    writeFileSync(out, encodeNpy({ dims: grad.dims, data: grad.data }));
    let maxAbs = 0;
    for (const v of grad.data) maxAbs = Math.max(maxAbs, Math.abs(v));
    const doc = {
      schema: 'lab.grad/1',
      model: model.summary.name,
      image: imagePath,
      target,
      targetValue: value,
      wrt: wrt === input ? 'input' : wrt,
      shape: grad.dims,
      maxAbs,
      out,
      preprocess: p,
    };
    console.log(
      json
        ? JSON.stringify(doc, null, 2)
        : `${out}: d(${target.kind === 'logit' ? `logit ${target.index}` : `${target.tensor}#${target.unit} ${target.reduce}`})/d(${doc.wrt}), shape [${grad.dims.join(', ')}], float32; target ${value.toPrecision(6)}, max |g| ${maxAbs.toExponential(3)}`,
    );
  } finally {
    await model.release();
  }
  return 0;
}
