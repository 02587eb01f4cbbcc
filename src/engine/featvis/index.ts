/** Feature visualisation: the images that maximise a unit, by optimisation (see ./visualize). */
export { visualize, toRawImages, DEFAULT_SAMPLES, DEFAULT_STEPS, type Visualization, type VisualizeOptions, type VisualizeProgress } from './visualize';
export { FourierBasis } from './fourier';
export { COLOR, toRgb, toRgbAdjoint } from './color';
export { warp, warpAdjoint, randomAffine, robustnessFor, IDENTITY, type Affine, type Robustness } from './transform';
export { Adam } from './adam';
export { featureTarget } from './objective';
