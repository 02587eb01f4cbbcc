/** Attribution maps over the gradient model: gradient × input, integrated gradients, pixel maps. */
export { openGradientRunner, type GradientRunner, type GradientResult } from './runner';
export { gradientTimesInput, hadamard, type Attribution } from './gradientTimesInput';
export { integratedGradients, DEFAULT_IG_STEPS, type IntegratedGradients, type IntegratedGradientsOptions } from './integratedGradients';
export { baselineFor, blackBaseline, gaussianBlur, type BaselineKind } from './baselines';
export { pixelMap, scaleEnd, attributionRgba, attributionOverlay, divergingColor, type MapMode } from './pixelMap';
