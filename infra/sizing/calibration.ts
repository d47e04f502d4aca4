// The few constants that are empirical rather than derived. Each says where its value comes from.
// They were set once against the whole measured set in docs/sources.md#mem-5 (see bench/sizing-accuracy.ts),
// never per row.
/** CUDA context and kernels before any tensor: 1343 MB on the HF anatomy doc's V100 example
 *  (docs/sources.md#mem-1.1, "1-2GB in general"). Counted once per GPU. */
export const CUDA_CONTEXT_BYTES = 1343e6;

/** PyTorch caching-allocator overhead on top of live tensors (reserved vs allocated: fragmentation,
 *  cuBLAS/NCCL workspaces, communication buckets). Calibrated against docs/sources.md#mem-5. */
export const ALLOCATOR_OVERHEAD_FACTOR = 1.1;

/** Bytes per logit element held around the loss: bf16 logits (2) + fp32 upcast (4) + fp32 log-softmax
 *  saved for backward (4) + bf16 logits gradient (2), as in HF `ForCausalLMLoss` (logits.float() then
 *  cross_entropy). Cross-checked by the growth of Qwen 1.8B LoRA from 256 to 8192 tokens
 *  (docs/sources.md#mem-5.1: +15.1 G of which ~1.4 GB is layer activations → ≈12 B per logit element). */
export const LOGITS_BYTES_PER_ELEMENT = 12;

/** Default model FLOPs utilisation for time estimates when the workload does not state one.
 *  Typical HF/DeepSpeed fine-tuning reaches 30-50 % MFU on A100; 0.35 is a stated, conservative choice. */
export const DEFAULT_MFU = 0.35;

/** DeepSpeed ZeRO-1/2 reduce_bucket_size (elements) of the configs the frameworks ship: Qwen finetune/ds_config_zero2.json
 *  and ms-swift zero2.json set 2e8 (DeepSpeed's own default is 5e8). A configuration value, not a fit. */
export const ZERO_REDUCE_BUCKET_ELEMENTS = 2e8;
