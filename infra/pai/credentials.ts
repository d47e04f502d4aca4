// Credentials resolved lazily at call time, never at construction or serialization time, so a
// serialized dynamic provider carries no secret (ARCHITECTURE.md, rules of thumb).
import Credential from "@alicloud/credentials";

/** What `@alicloud/openapi-client` needs from a credential: `getCredential()` per request. */
export interface CredentialSource {
  getCredential(): Promise<{
    accessKeyId?: string;
    accessKeySecret?: string;
    securityToken?: string;
    bearerToken?: string;
    type?: string;
    providerName?: string;
  }>;
}

/**
 * The default Alibaba Cloud chain (env ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET[/SECURITY_TOKEN],
 * OIDC, CLI profile, ~/.alibabacloud/credentials, ECS RAM role, credentials URI). The chain is
 * built on first use, so merely creating a client reads nothing.
 */
export function defaultCredentialSource(): CredentialSource {
  let chain: Credential | undefined;
  return {
    getCredential: async () => {
      chain ??= new Credential();
      return chain.getCredential();
    },
  };
}

/** A fixed key pair (tests, or callers that already hold credentials). Not for provider closures. */
export function staticCredentialSource(
  accessKeyId: string,
  accessKeySecret: string,
  securityToken?: string,
): CredentialSource {
  return {
    getCredential: () =>
      Promise.resolve({
        accessKeyId,
        accessKeySecret,
        securityToken,
        type: securityToken ? "sts" : "access_key",
        providerName: "static",
      }),
  };
}
