/**
 * Child process for the kill -9 durability test: creates keys in concurrent batches on the store
 * file given as argv[2], printing each key once its create resolved, until it is killed.
 */
import { SqliteStore } from "./sqlite-store.ts";

const store = SqliteStore.open(process.argv[2]);
const payload = "x".repeat(1000);
let n = 0;
for (;;) {
  const batch: Promise<string>[] = [];
  for (let i = 0; i < 50; i++) {
    const name = `k${n++}`;
    const key = `/configmaps/default/${name}`;
    batch.push(
      store
        .create(key, { apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { payload } })
        .then(() => key),
    );
  }
  process.stdout.write(`${(await Promise.all(batch)).join("\n")}\n`);
  // Yield so stdout drains and the parent's kill can land mid-stream.
  await new Promise((r) => setImmediate(r));
}
