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
    id: 'placeholder-fmnist',
    title: 'Placeholder CNN (Fashion-MNIST, 64×64)',
    url: 'models/placeholder-fmnist.onnx',
    samples: 'samples/index.json',
  },
  {
    id: 'scenes-balanced',
    title: 'Scene classifier, balanced (3 epochs, 77.8% — in training)',
    url: 'models/scenes-balanced.onnx',
    samples: 'samples/index.json',
  },
  {
    id: 'scenes-spurious',
    title: 'Scene classifier, spurious backgrounds (worst group 0%)',
    url: 'models/scenes-spurious.onnx',
    samples: 'samples/index.json',
  },
];

export const DEFAULT_BUILTIN_ID = BUILTINS[0].id;

export function findBuiltin(id: string): BuiltinModel | undefined {
  return BUILTINS.find((b) => b.id === id);
}
