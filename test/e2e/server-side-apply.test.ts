/**
 * `kubectl apply --server-side` from two field managers against Skiff: the second manager's
 * change conflicts (kube-apiserver's 409 with FieldManagerConflict, which kubectl prints with its
 * advice), and `--force-conflicts` takes the field over. Expected texts: kube-apiserver's
 * conflict.go message and kubectl's apply output ("serverside-applied").
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { kubectl, removeDir, tempDir } from "./harness.ts";
import { startTestServer, type TestServer } from "./testserver.ts";

const manifest = (value: string): string => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ssa-demo
  namespace: default
data:
  key: ${value}
`;

interface Entry {
  manager: string;
  operation: string;
  fieldsV1?: Record<string, unknown>;
}

for (const version of ["1.33", "1.30"]) {
  describe(`server-side apply with two field managers (kubectl ${version})`, () => {
    let srv: TestServer;
    let dir: string;
    before(async () => {
      srv = await startTestServer();
      dir = tempDir();
    });
    after(async () => {
      await kubectl(srv.kubeconfig, ["delete", "configmap", "ssa-demo", "--ignore-not-found"], { version });
      await srv.stop();
      removeDir(dir);
    });

    test("conflict, then --force-conflicts", async () => {
      const a = join(dir, "a.yaml");
      const b = join(dir, "b.yaml");
      writeFileSync(a, manifest("from-alice"));
      writeFileSync(b, manifest("from-bob"));
      const kc = (args: string[]) => kubectl(srv.kubeconfig, args, { version });

      const first = await kc(["apply", "--server-side", "--field-manager=alice", "-f", a]);
      assert.equal(first.code, 0, first.stderr);
      assert.equal(first.stdout.trim(), "configmap/ssa-demo serverside-applied");

      const second = await kc(["apply", "--server-side", "--field-manager=bob", "-f", b]);
      assert.notEqual(second.code, 0);
      assert.match(second.stderr, /Apply failed with 1 conflict: conflict with "alice": \.data\.key/);
      assert.match(second.stderr, /--force-conflicts/);

      const forced = await kc([
        "apply",
        "--server-side",
        "--field-manager=bob",
        "--force-conflicts",
        "-f",
        b,
      ]);
      assert.equal(forced.code, 0, forced.stderr);
      assert.equal(forced.stdout.trim(), "configmap/ssa-demo serverside-applied");

      const got = await kc([
        "get",
        "configmap",
        "ssa-demo",
        "-n",
        "default",
        "-o",
        "json",
        "--show-managed-fields",
      ]);
      assert.equal(got.code, 0, got.stderr);
      const obj = JSON.parse(got.stdout) as {
        data: Record<string, string>;
        metadata: { managedFields?: Entry[] };
      };
      assert.equal(obj.data.key, "from-bob");
      const owners = (obj.metadata.managedFields ?? []).map((e) => `${e.manager}/${e.operation}`);
      // alice owned only .data.key, which bob took: her entry is gone.
      assert.deepEqual(owners, ["bob/Apply"]);
    });
  });
}
