/**
 * `npx tsx bench/validate-data.ts [--examples 100000]`
 *
 * Writes a deterministic JSON Lines file of chat examples (a shared system prompt, user requests of
 * 3-40 random Chinese/English words and numbers, JSON answers: few repeated texts, so the tokenizer
 * caches help little), then validates it against qwen1.5-7b-chat in a fresh process and prints the
 * wall and CPU time (the machine is shared: CPU time is the figure that does not depend on the
 * neighbours), the tokenizer load time, tokens per second and the process's peak resident memory.
 * Target (issue 11): under 10 s and under 200 MB for 100,000 examples on the 2-core machine.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadCatalog } from "../infra/catalog";
import { validateDataset } from "../infra/data/validate";
import { llamaFactoryTemplate } from "../infra/resolve/command";
import { mulberry32, SYSTEM_PROMPT } from "../stacks/datasets/tv-assistant/generate";

const WORDS = [
  ..."音量 调 大 小 一点 电视 打开 关闭 切换 频道 画面 模式 声音 亮度 字幕 定时 分钟 小时 我 想 看 电影 新闻 体育 节目 下一 上一 暂停 播放 继续 帮 请 吧 现在 太 了 吗 有没有 那个 昨天 今晚 客厅 卧室 孩子 睡觉".split(
    " ",
  ),
  ..."volume up down the a to please turn switch channel picture mode sound brightness subtitles timer minutes hours movie news sports play pause next previous TV living room kids bedtime now too loud quiet bright dark".split(
    " ",
  ),
];

/** The flags `npm run validate-data` runs Node with (package.json): a smaller young generation. */
const NODE_FLAGS = ["--max-semi-space-size=4"];

function writeFile(file: string, examples: number): void {
  const r = mulberry32(42);
  const fd = fs.openSync(file, "w");
  const batch: string[] = [];
  for (let i = 0; i < examples; i++) {
    const n = 3 + Math.floor(r() * 38);
    const words: string[] = [];
    for (let w = 0; w < n; w++)
      words.push(r() < 0.1 ? String(Math.floor(r() * 1000)) : WORDS[Math.floor(r() * WORDS.length)]!);
    const answer = JSON.stringify({
      function: `f_${Math.floor(r() * 40)}`,
      slots: { level: Math.floor(r() * 100), id: i },
    });
    batch.push(
      JSON.stringify({
        messages: [
          { role: "system", content: SYSTEM_PROMPT },
          { role: "user", content: `${words.join(r() < 0.5 ? " " : "")} #${i}` },
          { role: "assistant", content: answer },
        ],
      }),
    );
    if (batch.length === 1000) {
      fs.writeSync(fd, batch.join("\n") + "\n");
      batch.length = 0;
    }
  }
  if (batch.length) fs.writeSync(fd, batch.join("\n") + "\n");
  fs.closeSync(fd);
}

function child(file: string): void {
  const model = loadCatalog().models.get("qwen1.5-7b-chat")!;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const r = validateDataset(file, { model, template: llamaFactoryTemplate(model), seqLen: 1024 });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  process.stdout.write(
    JSON.stringify({
      ms,
      cpuMs,
      loadMs: r.timing.tokenizerLoadMs,
      examples: r.examples,
      problems: r.problemCount,
      tokens: r.tokens.total,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === "--child") return child(args[1]!);
  const at = args.indexOf("--examples");
  const examples = at >= 0 ? Number(args[at + 1]) : 100_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "validate-bench-"));
  const file = path.join(dir, "data.jsonl");
  try {
    writeFile(file, examples);
    const size = fs.statSync(file).size;
    // A fresh process: its peak RSS is the validator's (plus Node and tsx), not the generator's.
    const baseline = JSON.parse(
      execFileSync(
        process.execPath,
        [
          ...NODE_FLAGS,
          "--import",
          "tsx",
          "-e",
          "process.stdout.write(JSON.stringify({maxRssMB: process.resourceUsage().maxRSS / 1024}))",
        ],
        {
          encoding: "utf8",
        },
      ),
    ) as { maxRssMB: number };
    const out = JSON.parse(
      execFileSync(process.execPath, [...NODE_FLAGS, "--import", "tsx", __filename, "--child", file], {
        encoding: "utf8",
      }),
    ) as {
      ms: number;
      cpuMs: number;
      loadMs: number;
      examples: number;
      problems: number;
      tokens: number;
      maxRssMB: number;
    };
    const tokPerSec = out.tokens / ((out.ms - out.loadMs) / 1000);
    console.log(
      `validate-data bench: ${out.examples.toLocaleString("en-US")} examples, ${(size / 2 ** 20).toFixed(1)} MiB, ${out.tokens.toLocaleString("en-US")} tokens`,
    );
    console.log(
      `  time        ${(out.ms / 1000).toFixed(2)} s wall, ${(out.cpuMs / 1000).toFixed(2)} s CPU (tokenizer load ${(out.loadMs / 1000).toFixed(2)} s; ${Math.round(tokPerSec).toLocaleString("en-US")} tokens/s)   target < 10 s`,
    );
    console.log(
      `  peak memory ${out.maxRssMB.toFixed(0)} MB resident (an empty node+tsx process: ${baseline.maxRssMB.toFixed(0)} MB)   target < 200 MB`,
    );
    console.log(`  problems    ${out.problems} (expected 0)`);
  } finally {
    if (!process.env.KEEP) fs.rmSync(dir, { recursive: true, force: true });
    else console.log(file);
  }
}

main();
