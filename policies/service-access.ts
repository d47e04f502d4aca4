/**
 * service-access (mandatory): every EAS service requires token authentication, and (where the
 * environment says so, prod) exposes no public endpoint without an exemption.
 */
import { definePolicy, type Finding } from "./lib/define";
import { label, ofType, read, TYPES } from "./lib/resources";

export interface ServiceAccessConfig {
  /** Allow a public endpoint next to the VPC one. */
  allowPublicEndpoint: boolean;
}

export const serviceAccess = definePolicy<ServiceAccessConfig>({
  name: "service-access",
  description:
    "Services require token authentication and expose no public endpoint where the environment forbids it.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { allowPublicEndpoint: { type: "boolean", default: true } } },
  evaluate: (resources, config) => {
    const out: Finding[] = [];
    for (const r of ofType(resources, TYPES.serviceEndpoints)) {
      const e = read(() => r.props.exposure as { publicEndpoint?: boolean; tokenAuth?: boolean } | undefined);
      const token = read(() => (r.props.exposure as { tokenAuth?: boolean } | undefined)?.tokenAuth);
      const pub = read(() => (r.props.exposure as { publicEndpoint?: boolean } | undefined)?.publicEndpoint);
      if (!e.known || !token.known || !pub.known) {
        out.push({ resource: r, message: `${label(r)}: its exposure is unknown at preview; fails closed` });
        continue;
      }
      if (e.value === undefined) {
        out.push({
          resource: r,
          message: `${label(r)} does not say how it is exposed (exposure); cannot check access`,
        });
        continue;
      }
      if (token.value !== true)
        out.push({ resource: r, message: `${label(r)} accepts requests without token authentication` });
      if (pub.value === true && !config.allowPublicEndpoint)
        out.push({
          resource: r,
          message: `${label(r)} has a public endpoint, which this environment does not allow: serve over the VPC endpoint, or record an exemption (pai-finetune:exemptions) with a reason and an expiry date`,
        });
    }
    return out;
  },
});
