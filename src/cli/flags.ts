/** Flag parsing shared by the subcommands: one line that says what is wrong and how to fix it. */
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

export class UsageError extends Error {}

export interface FlagSpec {
  [name: string]: { type: "string" | "boolean"; default?: string | boolean; help: string };
}

export function parseFlags(
  argv: string[],
  spec: FlagSpec,
  command: string,
): Record<string, string | boolean | undefined> {
  const options: Record<string, { type: "string" | "boolean"; default?: string | boolean }> = {};
  for (const [k, v] of Object.entries(spec))
    options[k] = { type: v.type, ...(v.default !== undefined ? { default: v.default } : {}) };
  try {
    const { values } = parseArgs({ args: argv, options, allowPositionals: false, strict: true });
    return values as Record<string, string | boolean | undefined>;
  } catch (e) {
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new UsageError(`${msg.replace(/^Unknown option/, "unknown flag")} (see 'skiff ${command} --help')`);
  }
}

export function helpText(command: string, summary: string, spec: FlagSpec): string {
  const lines = [`Usage: skiff ${command} [flags]`, "", summary, "", "Flags:"];
  for (const [k, v] of Object.entries(spec)) {
    const def =
      v.default !== undefined && v.default !== false ? ` (default ${JSON.stringify(v.default)})` : "";
    lines.push(`  --${k}${v.type === "string" ? " VALUE" : ""}`.padEnd(28) + v.help + def);
  }
  return lines.join("\n");
}

export function portFlag(v: string | boolean | undefined, name: string): number {
  const s = String(v);
  if (!/^\d+$/.test(s) || Number(s) > 65535)
    throw new UsageError(`--${name} must be a port number from 0 to 65535 (0 picks a free port), got "${s}"`);
  return Number(s);
}

export function defaultDataDir(): string {
  return process.env.SKIFF_DATA_DIR ?? join(homedir(), ".skiff");
}
