/** An apiserver in this process over a memory store, for tests that need to reach into the store. */
import { ApiServer } from "../../src/api/server/server.ts";
import { type CompactingStore, openStore } from "../../src/api/storage/index.ts";
import { removeDir, tempDir } from "./harness.ts";

export interface TestServer {
  server: ApiServer;
  store: CompactingStore;
  kubeconfig: string;
  stop(): Promise<void>;
}

export async function startTestServer(
  store: CompactingStore = openStore({ backend: "memory" }),
): Promise<TestServer> {
  const dataDir = tempDir();
  const server = new ApiServer({ dataDir, store, port: 0 });
  await server.start();
  return {
    server,
    store,
    kubeconfig: server.kubeconfigPath,
    async stop() {
      await server.stop();
      await store.close();
      removeDir(dataDir);
    },
  };
}
