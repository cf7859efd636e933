/** The `skiff` command. */

import { skiffVersion } from "../api/server/version.ts";
import { agentCommand } from "./agent.ts";
import { apiserverCommand } from "./apiserver.ts";
import { controllersCommand } from "./controllers.ts";
import { dnsCommand } from "./dns.ts";
import { UsageError } from "./flags.ts";
import { upCommand } from "./up.ts";

const commands: Record<string, { run: (argv: string[]) => Promise<void>; help: string }> = {
  up: { run: upCommand, help: "bring everything up on this machine: apiserver, controllers, a node" },
  apiserver: { run: apiserverCommand, help: "serve the Kubernetes API over the embedded store" },
  controllers: {
    run: controllersCommand,
    help: "run the controllers and the scheduler against an apiserver",
  },
  agent: { run: agentCommand, help: "run a node (simulated runtime) against an apiserver" },
  dns: { run: dnsCommand, help: "serve cluster DNS from a CoreDNS-compatible Corefile" },
};

function usage(): string {
  const lines = [
    "skiff — Kubernetes service networking that runs anywhere",
    "",
    "Usage: skiff <command> [flags]",
    "",
    "Commands:",
    ...Object.entries(commands).map(([k, v]) => `  ${k.padEnd(12)}${v.help}`),
    `  ${"version".padEnd(12)}print the version`,
    "",
    "Run 'skiff <command> --help' for a command's flags.",
  ];
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") {
    console.log(usage());
    return 0;
  }
  if (cmd === "version" || cmd === "--version") {
    console.log(`skiff ${skiffVersion}`);
    return 0;
  }
  const c = commands[cmd];
  if (!c) {
    console.error(`skiff: unknown command "${cmd}" (run 'skiff --help' for the list)`);
    return 2;
  }
  try {
    await c.run(rest);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`skiff ${cmd}: ${e.message}`);
      return 2;
    }
    console.error(`skiff ${cmd}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Anything still holding the event loop after a clean stop must not keep the process alive.
setTimeout(() => process.exit(code), 2_000).unref();
