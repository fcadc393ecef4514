export { checkGradients, type CheckGradientsOptions, type GradientReport } from './check-gradients.js';
