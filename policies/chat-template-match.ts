/**
 * chat-template-match (mandatory): the chat template a job trains with (LLaMA-Factory's
 * `--template`, read from the command the job will run, generated or overridden) is the one of
 * the base model's family. A mismatched template trains the model on a conversation format it will
 * never be served with. Template names: LLaMA-Factory's `src/llamafactory/data/template.py`.
 */
import { loadCatalog, type Catalog } from "../infra/catalog";
import { TEMPLATES } from "../infra/resolve/command";
import { definePolicy, type Finding } from "./lib/define";
import { jobSizing, label, ofType, read, TYPES } from "./lib/resources";

export type ChatTemplateMatchConfig = Record<string, never>;

let shipped: Catalog | undefined;
const catalog = () => (shipped ??= loadCatalog());

/** The last `--template X` / `--template=X` of a command (the argument parser keeps the last). */
export function templateOf(command: string): string | undefined {
  const all = [...command.matchAll(/--template(?:=|\s+)["']?([A-Za-z0-9_.-]+)/g)];
  return all.length > 0 ? all[all.length - 1]![1] : undefined;
}

export const chatTemplateMatch = definePolicy<ChatTemplateMatchConfig>({
  name: "chat-template-match",
  description:
    "The training chat template matches the base model's family, also when the command is overridden.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  evaluate: (resources) => {
    const out: Finding[] = [];
    for (const r of ofType(resources, TYPES.dlcJob)) {
      const s = jobSizing(r);
      const cmd = read(() => r.props.userCommand as string);
      if (!s.known || !cmd.known) {
        out.push({
          resource: r,
          message: `${label(r)}: ${!s.known ? s.path : (cmd as { path: string }).path} is unknown at preview; the template cannot be checked`,
        });
        continue;
      }
      if (!s.value || typeof cmd.value !== "string") continue;
      const model = s.value.model;
      // A base model has no template of its own: its family's chat model says which one fits.
      const familyChat =
        model.chatTemplate !== "none"
          ? model.chatTemplate
          : [...catalog().models.values()].find((m) => m.family === model.family && m.chatTemplate !== "none")
              ?.chatTemplate;
      const expected = familyChat ? TEMPLATES[familyChat] : undefined;
      if (!expected) continue;
      const used = templateOf(cmd.value);
      const llamaFactory = /llamafactory|--stage\s+sft/.test(cmd.value);
      if (used === undefined) {
        if (llamaFactory)
          out.push({
            resource: r,
            message: `${label(r)} runs LLaMA-Factory without --template; ${model.id} (family ${model.family}) needs --template ${expected}`,
          });
        continue;
      }
      if (used !== expected && !(model.chatTemplate === "none" && used === "default"))
        out.push({
          resource: r,
          message: `${label(r)} trains ${model.id} (family ${model.family}) with --template ${used}, but its family's template is ${expected}: the model would learn a conversation format it is never served with`,
        });
    }
    return out;
  },
});
