/**
 * Generates the TV-assistant example dataset: a viewer's request (Chinese, English or a mix of both)
 * → one device function with its slots, as the assistant's compact JSON answer. Deterministic: a
 * seeded PRNG (mulberry32), no clock, no environment, so the same script always writes the same
 * bytes (test/data/tv-dataset.test.ts regenerates and compares).
 *
 *   npx tsx stacks/datasets/tv-assistant/generate.ts     # rewrites train.jsonl and eval.jsonl
 *
 * Format (the contract the evaluation scorer parses): one JSON object per line,
 * {"messages":[{"role":"system",…},{"role":"user",…},{"role":"assistant","content":"{\"function\":…,\"slots\":{…}}"}]}
 * with slot values that are strings, numbers or booleans. To extend: add a function to FUNCTIONS
 * (its phrasings and slot values); the split stays disjoint because every user text is unique.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const SEED = 20_261_130;
export const TRAIN_EXAMPLES = 2400;
export const EVAL_EXAMPLES = 200;

export const SYSTEM_PROMPT =
  "你是电视的语音助手。把用户的一句话解析为一个设备功能调用，只输出一行 JSON：" +
  '{"function":"<功能名>","slots":{<槽位>}}。' +
  "功能：set_volume(level), change_volume(step), set_mute(muted), switch_input(source), " +
  "launch_app(app), tune_channel(number|name), change_channel(direction), set_picture_mode(mode), " +
  "set_sound_mode(mode), set_sleep_timer(minutes), cancel_sleep_timer(), set_brightness(level), " +
  "playback(action), set_subtitles(enabled, language), power_off()。";

type SlotValue = string | number | boolean;
interface Example {
  user: string;
  function: string;
  slots: Record<string, SlotValue>;
}

/** mulberry32: a small, well-known 32-bit PRNG; enough for shuffling text, not for security. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

// Politeness and filler, in both languages, so phrasing varies around the same request.
const PRE = ["", "", "", "请", "麻烦", "帮我", "帮忙", "小T，", "嘿，", "please ", "hey TV, ", "can you "];
const POST = ["", "", "", "", "吧", "一下", "，谢谢", "好吗", " please", " thanks", "。", "!"];

const INPUTS: [string, string[]][] = [
  ["HDMI1", ["HDMI1", "HDMI 1", "hdmi一", "HDMI 一号口", "第一个HDMI"]],
  ["HDMI2", ["HDMI2", "HDMI 2", "hdmi二", "HDMI 二号口", "第二个HDMI"]],
  ["HDMI3", ["HDMI3", "HDMI 3", "hdmi三", "第三个HDMI"]],
  ["AV", ["AV", "AV输入", "av口"]],
  ["USB", ["USB", "U盘", "usb drive"]],
  ["TV", ["电视信号", "TV", "有线电视", "antenna", "天线"]],
];
const APPS: [string, string[]][] = [
  ["Netflix", ["Netflix", "网飞", "netflix"]],
  ["YouTube", ["YouTube", "油管", "youtube"]],
  ["iQIYI", ["爱奇艺", "iQIYI", "奇艺"]],
  ["Tencent Video", ["腾讯视频", "Tencent Video", "腾讯"]],
  ["Youku", ["优酷", "Youku"]],
  ["Mango TV", ["芒果TV", "芒果", "Mango TV"]],
  ["Bilibili", ["哔哩哔哩", "B站", "bilibili"]],
  ["Prime Video", ["Prime Video", "亚马逊视频"]],
  ["Disney+", ["Disney+", "迪士尼+", "disney plus"]],
  ["Karaoke", ["K歌", "唱吧", "karaoke"]],
];
const CHANNEL_NAMES: [string, string[]][] = [
  ["CCTV-1", ["CCTV-1", "央视一套", "CCTV1", "中央一台"]],
  ["CCTV-5", ["CCTV-5", "央视体育", "CCTV5", "中央五套"]],
  ["CCTV-13", ["CCTV-13", "央视新闻", "新闻频道"]],
  ["Hunan TV", ["湖南卫视", "Hunan TV", "芒果台"]],
  ["Zhejiang TV", ["浙江卫视", "Zhejiang TV"]],
  ["Dragon TV", ["东方卫视", "Dragon TV"]],
  ["Jiangsu TV", ["江苏卫视", "Jiangsu TV"]],
  ["Beijing TV", ["北京卫视", "BTV"]],
];
const PICTURE_MODES: [string, string[]][] = [
  ["standard", ["标准", "standard", "标准模式"]],
  ["vivid", ["鲜艳", "vivid", "鲜艳模式", "亮丽"]],
  ["movie", ["电影", "movie", "电影模式", "cinema"]],
  ["game", ["游戏", "game", "游戏模式", "低延迟"]],
  ["sport", ["体育", "sport", "运动模式"]],
  ["eco", ["节能", "eco", "省电模式"]],
];
const SOUND_MODES: [string, string[]][] = [
  ["standard", ["标准音效", "standard sound"]],
  ["music", ["音乐模式", "music mode", "音乐音效"]],
  ["movie", ["影院音效", "movie sound", "电影音效"]],
  ["news", ["新闻音效", "清晰人声", "news mode"]],
  ["night", ["夜间模式", "night mode", "夜间音效"]],
];
const PLAYBACK: [string, string[]][] = [
  ["play", ["播放", "继续播放", "play", "resume"]],
  ["pause", ["暂停", "pause", "先停一下"]],
  ["stop", ["停止播放", "stop"]],
  ["next", ["下一集", "next episode", "下一个"]],
  ["previous", ["上一集", "previous episode", "上一个"]],
];
const CN_DIGITS = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
function chineseNumber(n: number): string {
  if (n <= 10) return CN_DIGITS[n]!;
  if (n < 20) return `十${n % 10 === 0 ? "" : CN_DIGITS[n % 10]}`;
  if (n < 100) return `${CN_DIGITS[Math.floor(n / 10)]}十${n % 10 === 0 ? "" : CN_DIGITS[n % 10]}`;
  return String(n);
}
const num = (r: Rng, n: number) => (n <= 99 && r() < 0.3 ? chineseNumber(n) : String(n));

/** Each function: how a viewer might ask for it, with the slots that request means. */
const FUNCTIONS: ((r: Rng) => Example)[] = [
  (r) => {
    const level = int(r, 0, 100);
    const v = num(r, level);
    const user = pick(r, [
      `音量调到${v}`,
      `把音量设成${v}`,
      `声音调到${v}`,
      `volume ${level}`,
      `set the volume to ${level}`,
      `音量${v}`,
      `把声音开到${v}`,
      `turn the volume to ${level}`,
    ]);
    return { user, function: "set_volume", slots: { level } };
  },
  (r) => {
    const up = r() < 0.5;
    const step = int(r, 1, 20);
    const v = num(r, step);
    const user = up
      ? pick(r, [
          `音量加${v}`,
          `声音大${v}格`,
          `调大${v}格音量`,
          `volume up ${step}`,
          `louder by ${step}`,
          `turn it up ${step}`,
        ])
      : pick(r, [
          `音量减${v}`,
          `声音小${v}格`,
          `调小${v}格音量`,
          `volume down ${step}`,
          `quieter by ${step}`,
          `turn it down ${step}`,
        ]);
    return { user, function: "change_volume", slots: { step: up ? step : -step } };
  },
  (r) => {
    const muted = r() < 0.6;
    const user = muted
      ? pick(r, ["静音", "mute", "把声音关了", "别出声了", "mute the TV", "关掉声音"])
      : pick(r, ["取消静音", "unmute", "把声音打开", "恢复声音", "sound on"]);
    return { user, function: "set_mute", slots: { muted } };
  },
  (r) => {
    const [source, names] = pick(r, INPUTS);
    const n = pick(r, names);
    const user = pick(r, [
      `切换到${n}`,
      `信号源切到${n}`,
      `switch to ${n}`,
      `换成${n}输入`,
      `input ${n}`,
      `用${n}`,
    ]);
    return { user, function: "switch_input", slots: { source } };
  },
  (r) => {
    const [app, names] = pick(r, APPS);
    const n = pick(r, names);
    const user = pick(r, [
      `打开${n}`,
      `启动${n}`,
      `open ${n}`,
      `launch ${n}`,
      `我要看${n}`,
      `进入${n}`,
      `start ${n}`,
    ]);
    return { user, function: "launch_app", slots: { app } };
  },
  (r) => {
    const number = int(r, 1, 199);
    const v = num(r, number);
    const user = pick(r, [
      `换到${v}台`,
      `切到第${v}频道`,
      `channel ${number}`,
      `go to channel ${number}`,
      `调到${v}频道`,
      `看${v}台`,
    ]);
    return { user, function: "tune_channel", slots: { number } };
  },
  (r) => {
    const [name, names] = pick(r, CHANNEL_NAMES);
    const n = pick(r, names);
    const user = pick(r, [`我想看${n}`, `切到${n}`, `换${n}`, `put on ${n}`, `switch to ${n}`, `打开${n}`]);
    return { user, function: "tune_channel", slots: { name } };
  },
  (r) => {
    const up = r() < 0.5;
    const user = up
      ? pick(r, ["下一个台", "频道加", "channel up", "next channel", "换下一个频道"])
      : pick(r, ["上一个台", "频道减", "channel down", "previous channel", "换上一个频道"]);
    return { user, function: "change_channel", slots: { direction: up ? "up" : "down" } };
  },
  (r) => {
    const [mode, names] = pick(r, PICTURE_MODES);
    const n = pick(r, names);
    const user = pick(r, [
      `画面调成${n}`,
      `图像模式${n}`,
      `picture mode ${n}`,
      `切换到${n}画质`,
      `用${n}画面`,
      `set picture to ${n}`,
    ]);
    return { user, function: "set_picture_mode", slots: { mode } };
  },
  (r) => {
    const [mode, names] = pick(r, SOUND_MODES);
    const n = pick(r, names);
    const user = pick(r, [`声音换成${n}`, `打开${n}`, `sound mode: ${n}`, `切到${n}`, `use ${n}`]);
    return { user, function: "set_sound_mode", slots: { mode } };
  },
  (r) => {
    const minutes = pick(r, [10, 15, 20, 30, 45, 60, 90, 120]) + (r() < 0.3 ? int(r, 1, 9) : 0);
    const hours = minutes % 60 === 0 && r() < 0.5 ? minutes / 60 : undefined;
    const user =
      hours !== undefined
        ? pick(r, [
            `${num(r, hours)}小时后关机`,
            `sleep in ${hours} hour${hours > 1 ? "s" : ""}`,
            `定时${num(r, hours)}小时`,
          ])
        : pick(r, [
            `${num(r, minutes)}分钟后关机`,
            `定时${num(r, minutes)}分钟关机`,
            `sleep timer ${minutes} minutes`,
            `turn off in ${minutes} min`,
            `睡眠定时${minutes}分钟`,
          ]);
    return { user, function: "set_sleep_timer", slots: { minutes } };
  },
  (r) => ({
    user: pick(r, ["取消定时关机", "不要定时了", "cancel the sleep timer", "关掉睡眠定时", "timer off"]),
    function: "cancel_sleep_timer",
    slots: {},
  }),
  (r) => {
    const level = int(r, 0, 100);
    const v = num(r, level);
    const user = pick(r, [
      `亮度调到${v}`,
      `屏幕亮度${v}`,
      `brightness ${level}`,
      `set brightness to ${level}`,
      `把亮度设为${v}`,
    ]);
    return { user, function: "set_brightness", slots: { level } };
  },
  (r) => {
    const [action, names] = pick(r, PLAYBACK);
    return { user: pick(r, names), function: "playback", slots: { action } };
  },
  (r) => {
    const enabled = r() < 0.7;
    if (!enabled)
      return {
        user: pick(r, ["关闭字幕", "subtitles off", "不要字幕", "隐藏字幕"]),
        function: "set_subtitles",
        slots: { enabled },
      };
    const [language, names] = pick(r, [
      ["zh", ["中文", "Chinese", "简体中文"]],
      ["en", ["英文", "English", "英语"]],
    ] as [string, string[]][]);
    const n = pick(r, names);
    const user = pick(r, [
      `打开${n}字幕`,
      `字幕换成${n}`,
      `turn on ${n} subtitles`,
      `${n} subtitles please`,
      `显示${n}字幕`,
    ]);
    return { user, function: "set_subtitles", slots: { enabled, language } };
  },
  (r) => ({
    user: pick(r, ["关机", "关电视", "turn off the TV", "power off", "把电视关了", "我去睡了，关掉电视"]),
    function: "power_off",
    slots: {},
  }),
];

function line(e: Example): string {
  const answer = JSON.stringify({ function: e.function, slots: e.slots });
  return JSON.stringify({
    messages: [
      { role: "system", content: SYSTEM_PROMPT },
      { role: "user", content: e.user },
      { role: "assistant", content: answer },
    ],
  });
}

/** The two files' contents. Every user text is unique, so train and eval never share a request. */
export function generate(): { train: string; eval: string } {
  const r = mulberry32(SEED);
  const seen = new Set<string>();
  const examples: Example[] = [];
  const want = TRAIN_EXAMPLES + EVAL_EXAMPLES;
  for (let attempts = 0; examples.length < want; attempts++) {
    if (attempts > want * 50) throw new Error("generator: not enough distinct phrasings");
    // Round-robin over functions keeps the classes balanced; the phrasing and slots are random.
    const f = FUNCTIONS[attempts % FUNCTIONS.length]!;
    const e = f(r);
    const user = `${pick(r, PRE)}${e.user}${pick(r, POST)}`.trim();
    if (seen.has(user)) continue;
    seen.add(user);
    examples.push({ ...e, user });
  }
  // Fisher-Yates with the same generator, then the first EVAL_EXAMPLES are held apart.
  for (let i = examples.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [examples[i], examples[j]] = [examples[j]!, examples[i]!];
  }
  const toText = (xs: Example[]) => xs.map(line).join("\n") + "\n";
  return { eval: toText(examples.slice(0, EVAL_EXAMPLES)), train: toText(examples.slice(EVAL_EXAMPLES)) };
}

if (require.main === module) {
  const { train, eval: held } = generate();
  fs.writeFileSync(path.join(__dirname, "train.jsonl"), train);
  fs.writeFileSync(path.join(__dirname, "eval.jsonl"), held);
  console.log(
    `wrote ${TRAIN_EXAMPLES} training and ${EVAL_EXAMPLES} evaluation examples to ${path.relative(process.cwd(), __dirname) || "."}`,
  );
}
