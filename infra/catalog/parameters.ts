// Parameter counts derived from the architecture (docs/sources.md#mem-7 notes, [derived] formula):
// 2·V·h (untied) + L·(attention + 3·h·I + 2h) + h, attention = q,o (h·a·d each) + k,v (h·kv·d each) (+ biases).
import type { CatalogModel } from "./schema";

/** Per-head dimension: explicit headDim, else hiddenSize / numAttentionHeads. */
export function headDim(m: CatalogModel): number {
  return m.headDim ?? m.hiddenSize / m.numAttentionHeads;
}

/** Parameters of one layer's attention block (q, k, v, o projections and q/k/v biases). */
export function attentionParams(m: CatalogModel): number {
  const qDim = m.numAttentionHeads * headDim(m);
  const kvDim = m.numKeyValueHeads * headDim(m);
  const weights = m.hiddenSize * qDim * 2 + m.hiddenSize * kvDim * 2;
  const bias = m.attentionBias ? qDim + 2 * kvDim : 0;
  return weights + bias;
}

/** Parameters of one expert's (or the dense) gated MLP: gate, up, down. */
export function mlpParamsPerExpert(m: CatalogModel): number {
  return 3 * m.hiddenSize * (m.expertIntermediateSize ?? m.intermediateSize);
}

/** Parameters of one transformer layer, every expert included (MoE keeps all experts in memory). */
export function layerParams(m: CatalogModel): number {
  const experts = m.numExperts ?? 1;
  const router = m.numExperts ? m.hiddenSize * m.numExperts : 0;
  return attentionParams(m) + experts * mlpParamsPerExpert(m) + router + 2 * m.hiddenSize;
}

/** Input embedding plus (when untied) the output head. */
export function embeddingParams(m: CatalogModel): number {
  return m.vocabSize * m.hiddenSize * (m.tieWordEmbeddings ? 1 : 2);
}

/** Total parameter count, every expert included. */
export function parameterCount(m: CatalogModel): number {
  return embeddingParams(m) + m.numLayers * layerParams(m) + m.hiddenSize;
}

/** Parameters a token actually runs through (MoE: only numExpertsPerToken experts), for FLOPs. */
export function activeParameterCount(m: CatalogModel): number {
  if (!m.numExperts || !m.numExpertsPerToken) return parameterCount(m);
  const idleExperts = m.numExperts - m.numExpertsPerToken;
  return parameterCount(m) - m.numLayers * idleExperts * mlpParamsPerExpert(m);
}
