// The review of a promoted stack shows which artifact it serves and the metrics it was promoted on
// (issue: evaluation and promotion, item 5), read from the stack's promotion history.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { main as promote, type PromoteIo } from "../../infra/cli/promote";
import { main as review } from "../../infra/cli/review";
import { artifactOf, workspace, writeMetrics, type Workspace } from "../promote/helpers";

const spaces: Workspace[] = [];
after(() => spaces.forEach((w) => w.cleanup()));

function sink(): { stream: NodeJS.WritableStream; text: () => string } {
  let text = "";
  return {
    stream: { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream,
    text: () => text,
  };
}

async function runReview(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await review(args, {
    out: (s: string) => void (out += s),
    err: (s: string) => void (err += s),
  });
  return { code, out, err };
}

describe("review of a promoted stack", () => {
  it("names the served artifact, its run hash, its source and each gate's value (Markdown and HTML)", async () => {
    const ws = workspace();
    spaces.push(ws);
    const dev = artifactOf(ws, "dev");
    const o = sink();
    const e = sink();
    const io = { out: o.stream, err: e.stream } as PromoteIo;
    const code = await promote(
      [
        "--from",
        "dev",
        "--to",
        "staging",
        "--metrics",
        writeMetrics(ws, "dev"),
        "--yes",
        "--stacks-dir",
        ws.dir,
      ],
      io,
    );
    assert.equal(code, 0, e.text());

    const md = await runReview(["--config", ws.file("staging")]);
    assert.equal(md.code, 0, md.err);
    assert.ok(md.out.includes(`**Serves promoted model** <code>${dev.uri}</code>`), md.out.slice(0, 2000));
    assert.ok(md.out.includes(`run <code>${dev.runHash}</code>`));
    assert.match(md.out, /promoted from <code>dev<\/code>/);
    assert.match(md.out, /json-valid 100 \(gate ≥ 95\)/);

    const out = path.join(ws.dir, "review.html");
    const html = await runReview(["--config", ws.file("staging"), "--format", "html", "--out", out]);
    assert.equal(html.code, 0, html.err);
    const page = fs.readFileSync(out, "utf8");
    assert.match(page, /<h2>Promoted model<\/h2>/);
    assert.ok(page.includes(dev.runHash));

    // A stack never promoted shows no such section.
    const plain = await runReview(["--config", ws.file("dev")]);
    assert.equal(plain.code, 0, plain.err);
    assert.ok(!plain.out.includes("Serves promoted model"));
  });

  it("a corrupt promotion history is a clear error (exit 2), not a stack trace", async () => {
    const ws = workspace();
    spaces.push(ws);
    fs.mkdirSync(path.join(ws.dir, "promotions"));
    fs.writeFileSync(path.join(ws.dir, "promotions", "staging.jsonl"), "{not json\n");
    const r = await runReview(["--config", ws.file("staging")]);
    assert.equal(r.code, 2);
    assert.match(r.err, /staging\.jsonl:1: not a JSON line/);
  });
});
