/** The models that ship with the lab. URLs are relative to the page. */
export interface BuiltinModel {
  id: string;
  title: string;
  url: string;
  /** JSON index of sample images: Array<{file, label, labelIndex, testIndex}>, files beside it. */
  samples: string;
}

export const BUILTINS: readonly BuiltinModel[] = [
  {
    id: 'scenes-balanced',
    title: 'Scene classifier, balanced (the default model organism)',
    url: 'models/scenes-balanced.onnx',
    samples: 'samples/scenes/index.json',
  },
  {
    id: 'scenes-spurious',
    title: 'Scene classifier, spurious backgrounds (shortcut learner)',
    url: 'models/scenes-spurious.onnx',
    samples: 'samples/scenes/index.json',
  },
  {
    id: 'synthetic-units',
    title: 'Synthetic units: 64 units with known formulas (mono / OR / AND), for scoring descriptions',
    url: 'models/synthetic-units.onnx',
    samples: 'samples/scenes/index.json',
  },
  {
    id: 'placeholder-fmnist',
    title: 'Placeholder CNN (plain Fashion-MNIST, 64×64)',
    url: 'models/placeholder-fmnist.onnx',
    samples: 'samples/index.json',
  },
];

/** The model the lab opens on: the balanced scene classifier (the scene world's model organism). */
export const DEFAULT_BUILTIN_ID = 'scenes-balanced';

export function findBuiltin(id: string): BuiltinModel | undefined {
  return BUILTINS.find((b) => b.id === id);
}
