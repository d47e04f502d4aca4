// LoRA adapter parameter counts: r·(d_in + d_out) per adapted linear layer (docs/sources.md#mem-3, [derived]).
import { headDim, type CatalogModel } from "../catalog";
import type { LoraModule, LoraTargets } from "./settings";

export const ALL_LINEAR: readonly LoraModule[] = ["q", "k", "v", "o", "gate", "up", "down"];
export const ATTENTION_ONLY: readonly LoraModule[] = ["q", "k", "v", "o"];

export function resolveLoraTargets(t: LoraTargets): readonly LoraModule[] {
  if (t === "all-linear") return ALL_LINEAR;
  if (t === "attention") return ATTENTION_ONLY;
  return t;
}

/** [d_in, d_out] of one linear module of one layer (one expert for MoE MLP modules). */
export function linearShape(m: CatalogModel, mod: LoraModule): [number, number] {
  const h = m.hiddenSize;
  const q = m.numAttentionHeads * headDim(m);
  const kv = m.numKeyValueHeads * headDim(m);
  const ff = m.expertIntermediateSize ?? m.intermediateSize;
  switch (mod) {
    case "q":
      return [h, q];
    case "k":
    case "v":
      return [h, kv];
    case "o":
      return [q, h];
    case "gate":
    case "up":
      return [h, ff];
    case "down":
      return [ff, h];
  }
}

/** Trainable LoRA parameters of the whole model (MoE: every expert's MLP is adapted, as PEFT all-linear does). */
export function loraParameterCount(m: CatalogModel, rank: number, targets: LoraTargets): number {
  let perLayer = 0;
  for (const mod of resolveLoraTargets(targets)) {
    const [dIn, dOut] = linearShape(m, mod);
    const copies = mod === "gate" || mod === "up" || mod === "down" ? (m.numExperts ?? 1) : 1;
    perLayer += copies * rank * (dIn + dOut);
  }
  return m.numLayers * perLayer;
}
