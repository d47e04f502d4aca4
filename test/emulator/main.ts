// CLI: npm run emulator -- --port <n> [--region r] [--access-key-id X --access-key-secret Y] [--fault-rate 0.2] [--seed n]
import { parseArgs } from "node:util";
import { startEmulator } from "./index";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      region: { type: "string", default: "cn-hangzhou" },
      "access-key-id": { type: "string" },
      "access-key-secret": { type: "string" },
      "fault-rate": { type: "string" },
      seed: { type: "string" },
    },
    strict: true,
  });
  const keyId = values["access-key-id"];
  const secret = values["access-key-secret"];
  if ((keyId === undefined) !== (secret === undefined))
    throw new Error("--access-key-id and --access-key-secret go together");
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${values.port}`);
  const emulator = await startEmulator({
    port,
    region: values.region,
    ...(keyId && secret ? { credentials: [{ accessKeyId: keyId, accessKeySecret: secret }] } : {}),
    ...(values.seed ? { seed: Number(values.seed) } : {}),
  });
  if (values["fault-rate"]) {
    const rate = Number(values["fault-rate"]);
    emulator.faults.setRandom(rate, [
      "throttle",
      "http500",
      "http503",
      "slow",
      "drop-after-action",
      "drop-before-action",
    ]);
  }
  console.log(emulator.url);
  const stop = (): void => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
