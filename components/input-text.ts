/**
 * `pulumi.interpolate`, but a plain string when every part is already known. An Output costs the SDK
 * real work (promises, a resolution pass, dependency tracking); the offline plan builds several per
 * job from strings that are plain in every stack (bench/plan-scale.ts measures it at 1,000 jobs).
 */
import * as pulumi from "@pulumi/pulumi";

export function interpolate(
  literals: TemplateStringsArray,
  ...parts: pulumi.Input<string | number>[]
): pulumi.Input<string> {
  if (parts.every((p) => typeof p === "string" || typeof p === "number")) {
    return literals.reduce((out, literal, i) => out + String(parts[i - 1]) + literal);
  }
  return pulumi.interpolate(literals, ...parts);
}
