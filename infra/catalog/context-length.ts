// The one rule on sequence lengths, shared by the plan (jobs' seqLen, services' maxContextTokens)
// and the size CLI (--seq-len, --context): no longer than the model's context window.
import { type CatalogModel } from "./schema";

/**
 * Why `tokens` is too long for `model` (more than its `maxPositionEmbeddings`, the context length of
 * its config.json), or undefined when it fits or the model states no context length.
 */
export function contextLengthProblem(
  model: Pick<CatalogModel, "id" | "maxPositionEmbeddings">,
  tokens: number,
): string | undefined {
  if (model.maxPositionEmbeddings === undefined || tokens <= model.maxPositionEmbeddings) return undefined;
  return `expected at most ${model.maxPositionEmbeddings} (the context length of ${model.id}), got ${tokens}`;
}
