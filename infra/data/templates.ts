/**
 * The chat templates LLaMA-Factory trains with, as data: what `--template <name>` turns a
 * conversation into. Transcribed from LLaMA-Factory v0.9.3 (the version of the training image),
 * src/llamafactory/data/template.py, `register_template(...)` for each name below and
 * `Template._encode` / `Llama2Template._encode` for how turns are assembled:
 * https://github.com/hiyouga/LLaMA-Factory/blob/v0.9.3/src/llamafactory/data/template.py
 * Each element is encoded on its own (`_convert_elements_to_ids`), so counts add up per element; a
 * `{ token }` element or the BOS/EOS marker is one token.
 *
 * Function-call turns are rendered as their raw content (LLaMA-Factory first reformats the JSON of
 * a tool call with the template's tool format); observation turns use the template's own slots.
 */

/** A slot: text with `{{content}}`, one named special token, or the tokenizer's BOS/EOS token. */
export type Slot = string | { token: string } | { bos: true } | { eos: true };

export interface ChatTemplate {
  /** LLaMA-Factory's template name (`--template`). */
  name: string;
  prefix: Slot[];
  user: Slot[];
  assistant: Slot[];
  system: Slot[];
  observation: Slot[];
  function: Slot[];
  /** Used when an example has no system prompt. */
  defaultSystem: string;
  /** Llama2Template: the system text is put inside the first user message. */
  fuseSystem: boolean;
  /** `replace_eos`: the tokenizer's EOS becomes the first stop word. */
  replaceEos?: string;
  /** `efficient_eos`: the assistant slot carries no EOS; one EOS ends the whole example. */
  efficientEos: boolean;
}

interface Def {
  prefix?: Slot[];
  user?: Slot[];
  assistant?: Slot[];
  system?: Slot[];
  observation?: Slot[];
  function?: Slot[];
  defaultSystem?: string;
  fuseSystem?: boolean;
  stopWords?: string[];
  replaceEos?: boolean;
  efficientEos?: boolean;
}

const BOS = { bos: true } as const;
const EOS = { eos: true } as const;

/** `register_template`'s defaults applied, as template.py does. */
function register(name: string, d: Def): ChatTemplate {
  const efficient = d.efficientEos ?? false;
  const defaultSlots: Slot[] = efficient ? ["{{content}}"] : ["{{content}}", EOS];
  const assistant = d.assistant ?? defaultSlots;
  return {
    name,
    prefix: d.prefix ?? [],
    user: d.user ?? ["{{content}}"],
    assistant,
    system: d.system ?? ["{{content}}"],
    observation: d.observation ?? d.user ?? ["{{content}}"],
    function: d.function ?? assistant,
    defaultSystem: d.defaultSystem ?? "",
    fuseSystem: d.fuseSystem ?? false,
    ...(d.replaceEos && d.stopWords?.[0] ? { replaceEos: d.stopWords[0] } : {}),
    efficientEos: efficient,
  };
}

export const TEMPLATES: Record<string, ChatTemplate> = {
  default: register("default", {
    user: ["Human: {{content}}", EOS, "\nAssistant:"],
    assistant: ["{{content}}", EOS, "\n"],
    system: ["System: {{content}}", EOS, "\n"],
  }),
  qwen: register("qwen", {
    user: ["<|im_start|>user\n{{content}}<|im_end|>\n<|im_start|>assistant\n"],
    assistant: ["{{content}}<|im_end|>\n"],
    system: ["<|im_start|>system\n{{content}}<|im_end|>\n"],
    function: ["{{content}}<|im_end|>\n"],
    observation: [
      "<|im_start|>user\n<tool_response>\n{{content}}\n</tool_response><|im_end|>\n<|im_start|>assistant\n",
    ],
    defaultSystem: "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.",
    stopWords: ["<|im_end|>"],
    replaceEos: true,
  }),
  llama3: register("llama3", {
    user: [
      "<|start_header_id|>user<|end_header_id|>\n\n{{content}}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
    ],
    assistant: ["{{content}}<|eot_id|>"],
    system: ["<|start_header_id|>system<|end_header_id|>\n\n{{content}}<|eot_id|>"],
    function: ["{{content}}<|eot_id|>"],
    observation: [
      "<|start_header_id|>ipython<|end_header_id|>\n\n{{content}}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
    ],
    prefix: [BOS],
    stopWords: ["<|eot_id|>", "<|eom_id|>"],
    replaceEos: true,
  }),
  llama2: register("llama2", {
    user: [BOS, "[INST] {{content}} [/INST]"],
    system: ["<<SYS>>\n{{content}}\n<</SYS>>\n\n"],
    fuseSystem: true,
  }),
  mistral: register("mistral", {
    user: ["[INST] {{content}}[/INST]"],
    assistant: [" {{content}}", EOS],
    system: ["{{content}}\n\n"],
    function: ["[TOOL_CALLS] {{content}}", EOS],
    observation: ['[TOOL_RESULTS] {"content": {{content}}}[/TOOL_RESULTS]'],
    prefix: [BOS],
    fuseSystem: true,
  }),
  gemma: register("gemma", {
    user: ["<start_of_turn>user\n{{content}}<end_of_turn>\n<start_of_turn>model\n"],
    assistant: ["{{content}}<end_of_turn>\n"],
    system: ["{{content}}\n\n"],
    observation: ["<start_of_turn>tool\n{{content}}<end_of_turn>\n<start_of_turn>model\n"],
    prefix: [BOS],
    stopWords: ["<end_of_turn>"],
    replaceEos: true,
    fuseSystem: true,
  }),
  chatglm3: register("chatglm3", {
    user: [{ token: "<|user|>" }, "\n", "{{content}}", { token: "<|assistant|>" }],
    assistant: ["\n", "{{content}}"],
    system: [{ token: "<|system|>" }, "\n", "{{content}}"],
    function: ["{{content}}"],
    observation: [{ token: "<|observation|>" }, "\n", "{{content}}", { token: "<|assistant|>" }],
    prefix: [{ token: "[gMASK]" }, { token: "sop" }],
    efficientEos: true,
  }),
  glm4: register("glm4", {
    user: ["<|user|>\n{{content}}<|assistant|>"],
    assistant: ["\n{{content}}"],
    system: ["<|system|>\n{{content}}"],
    function: ["{{content}}"],
    observation: ["<|observation|>\n{{content}}<|assistant|>"],
    prefix: ["[gMASK]<sop>"],
    efficientEos: true,
  }),
  baichuan2: register("baichuan2", {
    user: ["<reserved_106>{{content}}<reserved_107>"],
    efficientEos: true,
  }),
};

/** BOS and EOS token texts of a model family's tokenizer (tokenizer_config.json of each family's models). */
export function specialTokensOf(family: string): { bos?: string; eos: string } {
  const f = family.toLowerCase();
  if (f.startsWith("qwen")) return { eos: "<|endoftext|>" };
  if (f.startsWith("llama3")) return { bos: "<|begin_of_text|>", eos: "<|end_of_text|>" };
  if (f.startsWith("gemma")) return { bos: "<bos>", eos: "<eos>" };
  if (f === "glm4") return { eos: "<|endoftext|>" };
  return { bos: "<s>", eos: "</s>" };
}

export type Role = "user" | "assistant" | "observation" | "function";

/** One example as LLaMA-Factory's converters align it: an optional system prompt and alternating turns. */
export interface Conversation {
  system?: string;
  turns: { role: Role; content: string }[];
}

/** A rendered element: text to encode, or one special token (counted as one). */
export type Element = { text: string } | { special: string };

/** The elements LLaMA-Factory encodes for one example, turn by turn (`Template._encode`). */
export function renderElements(
  t: ChatTemplate,
  conv: Conversation,
  tokens: { bos?: string; eos: string },
): Element[] {
  const eos = t.replaceEos ?? tokens.eos;
  const out: Element[] = [];
  const apply = (slots: Slot[], content: string) => {
    for (const s of slots) {
      if (typeof s === "string") {
        const text = s.replace("{{content}}", () => content);
        if (text.length > 0) out.push({ text });
      } else if ("token" in s) out.push({ special: s.token });
      else if ("bos" in s) {
        if (tokens.bos !== undefined) out.push({ special: tokens.bos });
      } else out.push({ special: eos });
    }
  };
  const system = conv.system || t.defaultSystem;
  conv.turns.forEach((turn, i) => {
    let systemText = "";
    if (i === 0) {
      apply(t.prefix, "");
      if (system) {
        if (t.fuseSystem) {
          const slots = t.system.map((s) =>
            typeof s === "string" ? s.replace("{{content}}", () => system) : "",
          );
          systemText = slots.join("");
        } else apply(t.system, system);
      }
    }
    const slots =
      turn.role === "user"
        ? t.user
        : turn.role === "assistant"
          ? t.assistant
          : turn.role === "observation"
            ? t.observation
            : t.function;
    apply(slots, turn.role === "user" ? systemText + turn.content : turn.content);
  });
  if (t.efficientEos) out.push({ special: eos });
  return out;
}

/** The text a person reads: elements joined, special tokens as written. */
export function renderText(elements: Element[]): string {
  return elements.map((e) => ("text" in e ? e.text : e.special)).join("");
}
