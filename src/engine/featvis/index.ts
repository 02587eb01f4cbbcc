/** Feature visualisation: the images that maximise a unit, by optimisation (see ./visualize). */
export { visualize, toRawImages, type Visualization, type VisualizeOptions, type VisualizeProgress } from './visualize';
export { FourierBasis } from './fourier';
export { COLOR, toRgb, toRgbAdjoint } from './color';
export { warp, warpAdjoint, randomAffine, robustnessFor, IDENTITY, type Affine, type Robustness } from './transform';
export { Adam } from './adam';
export { featureObjective, preRelu, MAX_TEMPERATURE, type FeatureObjectivePlan } from './objective';
export { FEATURE_OBJECTIVES, DEFAULT_OBJECTIVE, DEFAULT_SAMPLES, DEFAULT_STEPS, isFeatureObjective, type FeatureObjective } from './settings';
export { Fft } from './fft';
