// infra/sizing: the single place that knows bytes per parameter, activations, prices and fits.
// Components (right-sizing defaults), policies (caps) and reports (tables) all call these pure functions.
export * from "./settings";
export * from "./units";
export * from "./lora";
export * from "./memory-training";
export * from "./memory-inference";
export * from "./time-cost";
export * from "./right-size";
export * from "./job";
export * from "./savers";
export * from "./saver-time";
export * from "./right-size-savers";
export * from "./service";
export {
  CUDA_CONTEXT_BYTES,
  ALLOCATOR_OVERHEAD_FACTOR,
  LOGITS_BYTES_PER_ELEMENT,
  DEFAULT_MFU,
} from "./calibration";
export { parameterCount, activeParameterCount } from "../catalog";
export * from "./evaluation";
export * from "./gpu-capabilities";
