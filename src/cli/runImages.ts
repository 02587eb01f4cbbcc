/** `lab run MODEL.onnx IMAGE…`: top classes of each image and per-channel statistics of named layers. */
import { toPrediction } from '../worker/handlers';
import type { Parsed } from './args';
import { JSON_OPTION, PREPROCESS_OPTIONS, THREADS_OPTION, usageError, type CommandHelp } from './command';
import { decodeImageFile } from './decode';
import { formatRun, runJson, type RunRecord } from './format';
import { integerOption, openModel, resolveLayers } from './modelArgs';

export const RUN_HELP: CommandHelp = {
  name: 'run',
  summary: 'classify images and report per-channel max/mean of chosen layers',
  usage: ['lab run MODEL.onnx IMAGE... [--layers L1,L2|all] [--size H,W] [--mean r,g,b] [--std r,g,b] [--batch N] [--json]'],
  args: [
    { name: 'MODEL.onnx', help: 'the model' },
    { name: 'IMAGE...', help: 'PNG or JPEG files, resized bilinearly to the input size' },
  ],
  options: [
    { name: 'layers', value: 'L1,L2|all', help: 'layers (tensor names or `lab inspect` labels) whose per-channel max and mean are reported' },
    { name: 'batch', value: 'N', help: 'images per session run (default 16)' },
    ...PREPROCESS_OPTIONS,
    THREADS_OPTION,
    JSON_OPTION,
  ],
  examples: ['npx lab run models/scenes-balanced.onnx public/samples/scenes/0-ankle-boot.png --layers stage3.block0.relu2'],
};

export async function runImagesCommand(args: Parsed): Promise<number> {
  const [modelPath, ...images] = args.positionals;
  if (!modelPath || images.length === 0) throw usageError(RUN_HELP, 'lab run takes MODEL.onnx and at least one IMAGE');
  const model = await openModel(modelPath, args);
  try {
    const layers = resolveLayers(model.summary, args.options.get('layers'));
    const batch = integerOption(args, 'batch', 16, 1, 4096);
    const records: RunRecord[] = [];
    for (let i = 0; i < images.length; i += batch) {
      const files = images.slice(i, i + batch);
      const raws = files.map(decodeImageFile);
      const result = await model.run({ images: raws, layers: layers.map((l) => l.tensor) });
      const classes = result.logits.dims[1];
      files.forEach((file, n) => {
        const logits = { dims: [1, classes], data: result.logits.data.slice(n * classes, (n + 1) * classes) };
        const stats = layers.map((l) => ({
          layer: l,
          max: Array.from(result.stats[l.tensor].max.data.slice(n * l.channels, (n + 1) * l.channels)),
          mean: Array.from(result.stats[l.tensor].mean.data.slice(n * l.channels, (n + 1) * l.channels)),
        }));
        records.push({ file, prediction: toPrediction(logits, model.summary.labels, 0), stats });
      });
    }
    console.log(args.options.has('json') ? JSON.stringify(runJson(model.summary, records), null, 2) : formatRun(model.summary, records));
  } finally {
    await model.release();
  }
  return 0;
}
