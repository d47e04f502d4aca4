/**
 * job-role-least-privilege (mandatory): the RAM policies of the stack grant no wildcard action,
 * reach no resource outside the stack's own buckets, and never allow deleting from the models
 * bucket (a trained model is removed by a person, on purpose). RAM policy grammar:
 * https://www.alibabacloud.com/help/en/ram/user-guide/policy-elements
 */
import { definePolicy, type Finding } from "./lib/define";
import { ofType, read, TYPES } from "./lib/resources";

export interface JobRoleLeastPrivilegeConfig {
  /** Bucket purposes (the bucket's `purpose` tag) whose objects may never be deleted. */
  noDeletePurposes: string[];
}

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: string | string[];
}

const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const OSS_ARN = /^acs:oss:[^:]*:[^:]*:([^/]+)(\/.*)?$/;
const KMS_ARN = /^acs:kms:[^:]*:[^:]*:key\/([^/]+)$/;

export const jobRoleLeastPrivilege = definePolicy<JobRoleLeastPrivilegeConfig>({
  name: "job-role-least-privilege",
  description:
    "RAM policies grant no wildcard action, reach only the stack's buckets, and never delete from the models bucket.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { noDeletePurposes: { type: "array", items: { type: "string" }, default: ["models"] } },
  },
  evaluate: (resources, config) => {
    const out: Finding[] = [];
    const buckets = new Map<string, string>();
    for (const b of ofType(resources, TYPES.bucket)) {
      const name = read(() => b.props.bucket as string);
      const purpose = read(() => (b.props.tags as Record<string, string> | undefined)?.purpose);
      if (name.known && typeof name.value === "string")
        buckets.set(name.value, purpose.known ? (purpose.value ?? "") : "");
    }
    // The customer-managed KMS keys the stack's buckets encrypt with: the jobs must be able to use them.
    const keys = new Set<string>();
    for (const b of ofType(resources, TYPES.bucket)) {
      const key = read(
        () => (b.props.serverSideEncryptionRule as { kmsMasterKeyId?: string } | undefined)?.kmsMasterKeyId,
      );
      if (key.known && typeof key.value === "string") keys.add(key.value);
    }
    const isStackKey = (arn: string) => {
      const m = KMS_ARN.exec(arn);
      return m !== null && (keys.has(m[1]!) || keys.has(arn));
    };
    for (const r of ofType(resources, TYPES.ramPolicy)) {
      const doc = read(() => r.props.policyDocument as string);
      if (!doc.known) {
        out.push({
          resource: r,
          message: `${r.name}: the policy document (${doc.path}) is unknown at preview, so its permissions cannot be checked; fails closed`,
        });
        continue;
      }
      let statements: Statement[];
      try {
        const parsed = JSON.parse(String(doc.value)) as { Statement?: Statement | Statement[] };
        statements = Array.isArray(parsed.Statement)
          ? parsed.Statement
          : parsed.Statement
            ? [parsed.Statement]
            : [];
      } catch {
        out.push({ resource: r, message: `${r.name}: the policy document is not JSON` });
        continue;
      }
      for (const st of statements) {
        if (st.Effect !== "Allow") continue;
        const actions = list(st.Action);
        const wild = actions.filter((a) => a.includes("*"));
        if (wild.length > 0)
          out.push({
            resource: r,
            message: `${r.name} grants wildcard action(s) ${wild.join(", ")}: list the actions the jobs need`,
          });
        for (const res of list(st.Resource)) {
          if (isStackKey(res)) continue;
          const m = OSS_ARN.exec(res);
          const bucket = m?.[1];
          if (!bucket || !buckets.has(bucket)) {
            out.push({
              resource: r,
              message: `${r.name} reaches ${res}, outside the stack's buckets (${[...buckets.keys()].join(", ") || "none"}) and their KMS keys`,
            });
            continue;
          }
          const deletes = actions.filter((a) => /^oss:(Delete|\*)/i.test(a) || a === "*");
          if (deletes.length > 0 && config.noDeletePurposes.includes(buckets.get(bucket) ?? ""))
            out.push({
              resource: r,
              message: `${r.name} allows ${deletes.join(", ")} on ${bucket} (${buckets.get(bucket)}): trained models must never be deletable by the job role`,
            });
        }
      }
    }
    return out;
  },
});
