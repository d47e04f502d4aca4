/** Stacks and policy outcomes the review tests share. */
import { loadCatalog } from "../../infra/catalog";
import type { PolicyOutcome } from "../../infra/plan/policy-types";
import { mutatedStack } from "../helpers/stack-files";

/** Strings a careless or hostile author could put in free text: tags, quotes, Markdown, entities. */
export const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)> 'q' | **b** [l](javascript:alert(1)) &amp;`;

/** The dev stack with a user price (hostile source) on the A10 and a second, changed service. */
export function devWithUserPrice(): string {
  const { price: _p, ...a10 } = loadCatalog().instance("ecs.gn7i-c8g1.2xlarge");
  return mutatedStack("dev", (c) => {
    c["pai-finetune:catalog"] = {
      instances: [
        {
          ...a10,
          price: {
            amount: 7.5,
            currency: "CNY",
            per: "hour",
            kind: "user",
            date: "2026-11-01",
            source: `negotiated rate (example) ${HOSTILE}`,
          },
        },
      ],
    };
  });
}

/** The dev stack changed: the job trains 2 epochs more, a second service is added. */
export function devChanged(): string {
  return mutatedStack("dev", (c) => {
    const jobs = c["pai-finetune:jobs"] as { hyperparameters: { epochs: number } }[];
    jobs[0]!.hyperparameters.epochs = 5;
    const services = c["pai-finetune:services"] as Record<string, unknown>[];
    services.push({ ...services[0], name: "tvfunc_chat_dev_b" });
  });
}

/** The dev stack without its service. */
export function devWithoutService(): string {
  return mutatedStack("dev", (c) => {
    c["pai-finetune:services"] = [];
  });
}

/** A full fine-tune of a 7B model pinned on one 24 GB GPU: the plan fails (out of memory). */
export function devOutOfMemory(): string {
  return mutatedStack("dev", (c) => {
    const jobs = c["pai-finetune:jobs"] as { method: string; hyperparameters: Record<string, unknown> }[];
    jobs[0]!.method = "full";
    delete jobs[0]!.hyperparameters.loraRank;
    delete jobs[0]!.hyperparameters.loraAlpha;
    c["pai-finetune:services"] = [];
  });
}

/** What the policy pack reports, as the offline plan will carry it (infra/plan/policy-types.ts). */
export function policyOutcome(): PolicyOutcome {
  return {
    verdicts: [
      {
        policyId: "gpu-memory-cap",
        enforcementLevel: "mandatory",
        resourceType: "pulumi-nodejs:dynamic/pai:DlcJob",
        resourceName: "platform-job-tvfunc-qlora",
        message:
          "job tvfunc-qlora reserves 640 GiB of GPU memory (8 × 80 GiB); the dev cap for qlora is 48 GiB",
      },
      {
        policyId: "gpu-overprovisioning",
        enforcementLevel: "advisory",
        resourceName: "platform-job-tvfunc-qlora",
        message: `reserved memory far above the need ${HOSTILE}`,
      },
      {
        policyId: "stack-budget",
        enforcementLevel: "mandatory",
        message: "the stack's monthly cost 12,975 CNY exceeds the dev budget of 10,000 CNY",
        exemption: { reason: `approved by finance ${HOSTILE}`, expires: "2099-01-01" },
      },
    ],
    exemptions: [
      {
        policyId: "stack-budget",
        resource: "(stack)",
        reason: `approved by finance ${HOSTILE}`,
        expires: "2099-01-01",
        status: "active",
      },
      {
        policyId: "service-access",
        resource: `platform-svc-${HOSTILE}`,
        reason: "demo week",
        expires: "2020-01-01",
        status: "expired",
      },
    ],
    mandatoryViolations: 1,
  };
}
