/** `skiff apiserver`: the Kubernetes API over the embedded store. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { checkAllocationOptions } from "../api/server/allocators/index.ts";
import { ApiServer } from "../api/server/server.ts";
import { openStore } from "../api/storage/index.ts";
import type { Store } from "../api/storage/types.ts";
import { defaultDataDir, type FlagSpec, helpText, parseFlags, portFlag, UsageError } from "./flags.ts";
import { untilSignal } from "./signal.ts";

export const apiserverFlags: FlagSpec = {
  "data-dir": {
    type: "string",
    help: "where the store, certificates and kubeconfig live (default ~/.skiff)",
  },
  port: { type: "string", default: "6443", help: "HTTPS port; 0 picks a free port" },
  "api-port": { type: "string", help: "same as --port" },
  "bind-address": { type: "string", default: "127.0.0.1", help: "address to listen on" },
  store: { type: "string", default: "sqlite", help: "sqlite (durable, in the data dir) or memory" },
  "service-cidr": {
    type: "string",
    default: "10.96.0.0/12",
    help: "ClusterIP range(s): one CIDR, or one per family (a,b)",
  },
  "service-node-port-range": { type: "string", default: "30000-32767", help: "NodePort range" },
  help: { type: "boolean", help: "show this help" },
};

export interface RunningApiServer {
  server: ApiServer;
  dataDir: string;
  store: Store;
  stop(): Promise<void>;
}

/** Open the store and start the apiserver as the flags say. */
export async function startApiServer(
  values: Record<string, string | boolean | undefined>,
): Promise<RunningApiServer> {
  const dataDir = String(values["data-dir"] ?? defaultDataDir());
  const port = portFlag(
    values["api-port"] ?? values.port,
    values["api-port"] !== undefined ? "api-port" : "port",
  );
  const backend = String(values.store);
  if (backend !== "sqlite" && backend !== "memory")
    throw new UsageError(`--store must be "sqlite" or "memory", got "${backend}"`);
  const serviceCIDRs = String(values["service-cidr"])
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c);
  const range = /^(\d+)-(\d+)$/.exec(String(values["service-node-port-range"]));
  if (!range) throw new UsageError(`--service-node-port-range must look like 30000-32767`);
  const nodePortRange: [number, number] = [Number(range[1]), Number(range[2])];
  try {
    checkAllocationOptions({ serviceCIDRs, nodePortRange });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const store =
    backend === "memory"
      ? openStore({ backend: "memory" })
      : openStore({ backend: "sqlite", path: join(dataDir, "state.db") });
  const stopCompaction = store.startAutoCompaction({ intervalMs: 30_000 });
  const server = new ApiServer({
    dataDir,
    store,
    port,
    host: String(values["bind-address"]),
    serviceCIDRs,
    nodePortRange,
  });
  try {
    await server.start();
  } catch (e) {
    stopCompaction();
    await store.close();
    const err = e as NodeJS.ErrnoException;
    if (err.code === "EADDRINUSE")
      throw new UsageError(
        `port ${port} is already in use: stop what uses it, or pass --port 0 to pick a free port`,
      );
    throw e;
  }
  return {
    server,
    dataDir,
    store,
    async stop() {
      await server.stop();
      stopCompaction();
      await store.close();
    },
  };
}

export async function apiserverCommand(argv: string[]): Promise<void> {
  const values = parseFlags(argv, apiserverFlags, "apiserver");
  if (values.help) {
    console.log(
      helpText(
        "apiserver",
        "Serve the Kubernetes API (HTTPS, admin token in the kubeconfig).",
        apiserverFlags,
      ),
    );
    return;
  }
  const running = await startApiServer(values);
  console.log(`kubeconfig: ${running.server.kubeconfigPath}`);
  console.log(`apiserver ready at ${running.server.url}`);
  await untilSignal();
  await running.stop();
}

// Other subcommands import it from here.
export { untilSignal };
