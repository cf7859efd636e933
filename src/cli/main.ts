/** The `skiff` command. */

import { skiffVersion } from "../api/server/version.ts";
import { UsageError } from "./flags.ts";

type Run = (argv: string[]) => Promise<void>;

/**
 * Each subcommand's module is imported only when it runs: the bundle is split per import, so
 * `skiff dns` never loads the apiserver's packages (SQLite, X.509, protobuf) or the controllers.
 */
const commands: Record<string, { load: () => Promise<Run>; help: string }> = {
  up: {
    load: async () => (await import("./up.ts")).upCommand,
    help: "bring everything up on this machine: apiserver, controllers, a node",
  },
  apiserver: {
    load: async () => (await import("./apiserver.ts")).apiserverCommand,
    help: "serve the Kubernetes API over the embedded store",
  },
  controllers: {
    load: async () => (await import("./controllers.ts")).controllersCommand,
    help: "run the controllers and the scheduler against an apiserver",
  },
  agent: {
    load: async () => (await import("./agent.ts")).agentCommand,
    help: "run a node (simulated runtime) against an apiserver",
  },
  dns: {
    load: async () => {
      // First of all: this may start the process again without V8's background threads.
      const gc = (await import("./dns-gc.ts")).singleThreadedV8();
      if (gc.failed) console.error(`skiff dns: ${gc.reason}`);
      // Before the DNS code loads: compiling it would already grow V8's young generation to 4 MiB.
      (await import("./dns-heap.ts")).tuneHeapForDNS();
      return (await import("./dns.ts")).dnsCommand;
    },
    help: "serve cluster DNS from a CoreDNS-compatible Corefile",
  },
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
    const run = await c.load();
    await run(rest);
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
