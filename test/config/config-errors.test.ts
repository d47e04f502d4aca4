import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { ConfigError } from "../../infra/config/errors";
import { readStackFile, parseStackConfig } from "../../infra/config/load";
import { resolveStackFile } from "../../infra/resolve/stack";
import { mutatedStack, scratchDir } from "../helpers/stack-files";

const scratch = scratchDir();
after(() => scratch.cleanup());

/** Resolves a YAML text and returns the ConfigError it must raise. */
function errorOf(yamlText: string, name = "Pulumi.bad.yaml"): ConfigError {
  const file = scratch.write(name, yamlText);
  try {
    resolveStackFile(file, "bad");
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail("the config was accepted");
}

function issueAt(err: ConfigError, keyPath: (string | number)[]) {
  const found = err.issues.find((i) => JSON.stringify(i.path) === JSON.stringify(keyPath));
  assert.ok(found, `no issue at ${JSON.stringify(keyPath)}; issues: ${err.message}`);
  return found;
}

describe("stack config errors name the file, the key path and what was expected", () => {
  it("rejects a misspelt project key with a suggestion and its line", () => {
    const text = mutatedStack("dev", (c) => {
      c["pai-finetune:job"] = c["pai-finetune:jobs"];
      delete c["pai-finetune:jobs"];
    });
    const err = errorOf(text);
    const issue = issueAt(err, ["pai-finetune:job"]);
    assert.match(issue.message, /unknown key/);
    assert.match(issue.message, /did you mean 'jobs'/);
    assert.equal(typeof issue.line, "number");
    assert.match(err.message, /Pulumi\.bad\.yaml:\d+: pai-finetune:job: unknown key/);
  });

  it("rejects a misspelt nested key (a typo must not pass silently)", () => {
    const err = errorOf(
      mutatedStack("dev", (c) => {
        c["pai-finetune:jobs"][0].hyperparameters.learningrate = 1e-4;
      }),
    );
    const issue = issueAt(err, ["pai-finetune:jobs", 0, "hyperparameters", "learningrate"]);
    assert.match(issue.message, /expected one of .*learningRate/);
    assert.match(issue.message, /did you mean 'learningRate'/);
  });

  it("rejects a wrong type with the value given", () => {
    const err = errorOf(
      mutatedStack("dev", (c) => {
        c["pai-finetune:jobs"][0].hyperparameters.epochs = "three";
      }),
    );
    assert.match(
      issueAt(err, ["pai-finetune:jobs", 0, "hyperparameters", "epochs"]).message,
      /expected a number, got "three"/,
    );
  });

  it("rejects an enum value outside the allowed set", () => {
    const err = errorOf(
      mutatedStack("dev", (c) => {
        c["pai-finetune:jobs"][0].method = "lorra";
      }),
    );
    assert.match(
      issueAt(err, ["pai-finetune:jobs", 0, "method"]).message,
      /expected one of "full" \| "freeze" \| "lora" \| "qlora", got "lorra"/,
    );
  });

  it("reports a missing required field", () => {
    const err = errorOf(
      mutatedStack("dev", (c) => {
        delete c["pai-finetune:jobs"][0].dataset.examples;
      }),
    );
    assert.match(issueAt(err, ["pai-finetune:jobs", 0, "dataset", "examples"]).message, /required/);
  });

  it("reports a missing region", () => {
    const err = errorOf(mutatedStack("dev", (c) => delete c["alicloud:region"]));
    assert.match(issueAt(err, ["alicloud:region"]).message, /required/);
  });

  it("collects several problems in one pass", () => {
    const err = errorOf(
      mutatedStack("dev", (c) => {
        c["pai-finetune:jobs"][0].hyperparameters.seqLen = -5;
        c["pai-finetune:storage"].bucketPrefix = "Has_Capitals";
      }),
    );
    assert.ok(err.issues.length >= 2, err.message);
    issueAt(err, ["pai-finetune:jobs", 0, "hyperparameters", "seqLen"]);
    issueAt(err, ["pai-finetune:storage", "bucketPrefix"]);
  });

  it("reports YAML syntax errors with their line", () => {
    const err = errorOf("config:\n  alicloud:region: cn-hangzhou\n  pai-finetune:jobs: [\n    - broken\n");
    assert.match(err.message, /YAML syntax/);
    assert.ok(err.issues[0]?.line !== undefined);
  });

  it("refuses an empty file and a file without config", () => {
    assert.match(errorOf("").message, /config/);
    assert.match(errorOf("secretsprovider: passphrase\n").message, /config/);
  });

  it("names a missing file", () => {
    assert.throws(() => readStackFile("/nonexistent/Pulumi.x.yaml"), /file not found/);
  });
});

describe("impossible values are refused with the reason", () => {
  it("LoRA settings on a full fine-tune", () => {
    const err = errorOf(
      mutatedStack("dev", (c) => {
        c["pai-finetune:jobs"][0].method = "full";
      }),
    );
    assert.match(
      issueAt(err, ["pai-finetune:jobs", 0, "hyperparameters", "loraRank"]).message,
      /applies to methods "lora" and "qlora" only/,
    );
  });

  it("a base model that is not in the catalog, with close ids", () => {
    const err = errorOf(
      mutatedStack("dev", (c) => {
        c["pai-finetune:jobs"][0].baseModel = "qwen1.5-7b-chatt";
      }),
    );
    assert.match(
      issueAt(err, ["pai-finetune:jobs", 0, "baseModel"]).message,
      /unknown base model.*qwen1\.5-7b-chat/,
    );
  });

  it("a sequence longer than the model's context", () => {
    const err = errorOf(
      mutatedStack("dev", (c) => {
        c["pai-finetune:jobs"][0].hyperparameters.seqLen = 1_000_000;
      }),
    );
    assert.match(
      issueAt(err, ["pai-finetune:jobs", 0, "hyperparameters", "seqLen"]).message,
      /context length of qwen1\.5-7b-chat/,
    );
  });

  it("more GPUs per node than the instance has", () => {
    const err = errorOf(
      mutatedStack("dev", (c) => {
        c["pai-finetune:jobs"][0].resources.gpusPerNode = 4;
      }),
    );
    assert.match(
      issueAt(err, ["pai-finetune:jobs", 0, "resources", "gpusPerNode"]).message,
      /at most 1 \(GPUs of ecs\.gn7i-c8g1\.2xlarge\)/,
    );
  });

  it("a service serving a job that does not exist", () => {
    const err = errorOf(
      mutatedStack("dev", (c) => {
        c["pai-finetune:services"][0].model.fromJob = "no-such-job";
      }),
    );
    assert.match(
      issueAt(err, ["pai-finetune:services", 0, "model", "fromJob"]).message,
      /no job named "no-such-job"/,
    );
  });

  it("a replica range that scales without a target, and max below min", () => {
    const err = errorOf(
      mutatedStack("dev", (c) => {
        c["pai-finetune:services"][0].replicas = { min: 1, max: 3 };
      }),
    );
    assert.match(
      issueAt(err, ["pai-finetune:services", 0, "autoscaling"]).message,
      /required when replicas.max/,
    );
    const err2 = errorOf(
      mutatedStack("dev", (c) => {
        c["pai-finetune:services"][0].replicas = { min: 3, max: 2 };
      }),
    );
    assert.match(
      issueAt(err2, ["pai-finetune:services", 0, "replicas", "max"]).message,
      /at least replicas.min/,
    );
  });

  it("autoscaling from zero replicas, which the EAS autoscaler refuses; zero without autoscaling is fine", () => {
    const err = errorOf(
      mutatedStack("staging", (c) => {
        c["pai-finetune:services"][0].replicas.min = 0;
      }),
    );
    assert.match(
      issueAt(err, ["pai-finetune:services", 0, "replicas", "min"]).message,
      /at least 1 with autoscaling/,
    );
    const parked = scratch.write(
      "Pulumi.parked.yaml",
      mutatedStack("dev", (c) => {
        c["pai-finetune:services"][0].replicas = { min: 0 };
      }),
    );
    assert.equal(resolveStackFile(parked, "parked").services[0]!.replicas.min, 0);
  });

  it("a service on an unfinished job's output", () => {
    const err = errorOf(
      mutatedStack("dev", (c) => {
        c["pai-finetune:jobs"][0].waitFor = "submitted";
      }),
    );
    assert.match(
      issueAt(err, ["pai-finetune:services", 0, "model", "fromJob"]).message,
      /waitFor: succeeded/,
    );
  });

  it("a quota job in a stack without a quota", () => {
    const err = errorOf(
      mutatedStack("staging", (c) => {
        delete c["pai-finetune:quota"];
      }),
    );
    assert.match(
      issueAt(err, ["pai-finetune:jobs", 0, "resources", "useQuota"]).message,
      /declares no pai-finetune:quota/,
    );
  });

  it("a training instance that DLC does not offer", () => {
    const err = errorOf(
      mutatedStack("dev", (c) => {
        c["pai-finetune:jobs"][0].resources.instanceType = "ml.gu7i.c16m60.1-gu30";
      }),
    );
    assert.match(
      issueAt(err, ["pai-finetune:jobs", 0, "resources", "instanceType"]).message,
      /not offered for PAI-DLC/,
    );
  });
});

describe("valid values keep their defaults", () => {
  it("applies documented defaults", () => {
    const file = scratch.write(
      "Pulumi.ok.yaml",
      mutatedStack("dev", () => undefined),
    );
    const config = parseStackConfig(readStackFile(file));
    assert.equal(config.storage.encryption, "AES256");
    assert.equal(config.storage.forceDestroy, false);
    assert.equal(config.jobs[0]!.training.gradientCheckpointing, true);
    assert.equal(config.jobs[0]!.priority, 1);
  });
});
