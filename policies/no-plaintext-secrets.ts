/**
 * no-plaintext-secrets (mandatory): no access key, token or password in a resource's inputs as
 * plain text. Such a value can only have come from plain stack config (a command override, an
 * image URL); it belongs in a Pulumi secret (`pulumi config set --secret`) read by the job at run
 * time, never in a command that DLC and the state store in the clear.
 */
import { definePolicy, type Finding } from "./lib/define";
import { label, read } from "./lib/resources";

export interface NoPlaintextSecretsConfig {
  /** Extra regular expressions (JavaScript syntax) of secret values to refuse. */
  extraPatterns: string[];
}

/** Shapes of credentials with a documented prefix, and `NAME=value` assignments of secret-named variables. */
const PATTERNS: { name: string; re: RegExp }[] = [
  // Alibaba Cloud AccessKey IDs start with "LTAI" (https://www.alibabacloud.com/help/en/ram/user-guide/create-an-accesskey-pair).
  { name: "an Alibaba Cloud AccessKey ID", re: /\bLTAI[A-Za-z0-9]{12,30}\b/ },
  // Hugging Face user access tokens start with "hf_" (https://huggingface.co/docs/hub/security-tokens).
  { name: "a Hugging Face token", re: /\bhf_[A-Za-z0-9]{30,}\b/ },
  { name: "a private key", re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  {
    name: "a secret-named variable with a literal value",
    re: /\b[A-Z0-9_]*(?:SECRET|PASSWORD|PASSWD|TOKEN|ACCESS_KEY)[A-Z0-9_]*\s*[=:]\s*["']?(?!\$)[A-Za-z0-9/+_.-]{12,}/i,
  },
];

/** Props that are our own data, never user text that could hold a secret. */
const SKIP = new Set(["sizing", "policyExemptions", "__provider"]);

function* strings(value: unknown, path: string, depth = 0): Generator<[string, string]> {
  if (depth > 8) return;
  if (typeof value === "string") yield [path, value];
  else if (Array.isArray(value))
    for (let i = 0; i < value.length; i++) yield* strings(value[i], `${path}[${i}]`, depth + 1);
  else if (value && typeof value === "object")
    for (const key of Object.keys(value)) {
      if (depth === 0 && SKIP.has(key)) continue;
      const v = read(() => (value as Record<string, unknown>)[key]);
      if (v.known) yield* strings(v.value, path ? `${path}.${key}` : key, depth + 1);
    }
}

export const noPlaintextSecrets = definePolicy<NoPlaintextSecretsConfig>({
  name: "no-plaintext-secrets",
  description: "No access key, token or password appears in plain text in a resource's inputs.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { extraPatterns: { type: "array", items: { type: "string" }, default: [] } },
  },
  evaluate: (resources, config) => {
    const patterns = [
      ...PATTERNS,
      ...config.extraPatterns.map((p) => ({ name: `a value matching ${p}`, re: new RegExp(p) })),
    ];
    const out: Finding[] = [];
    for (const r of resources) {
      for (const [path, text] of strings(r.props, "")) {
        const hit = patterns.find((p) => p.re.test(text));
        if (hit)
          out.push({
            resource: r,
            message: `${label(r)}: input ${path} holds ${hit.name} in plain text; keep it out of the stack file (a Pulumi secret, or a credential the job reads at run time)`,
          });
      }
    }
    return out;
  },
});
