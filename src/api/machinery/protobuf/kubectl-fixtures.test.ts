// Request bodies captured from kubectl 1.33 (`kubectl create … `against a stub server; the
// .json beside each is the same command's `--dry-run=client -o json`, i.e. Go's encoding/json).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { decodeKubeProtobuf } from "./decode.ts";
import { encodeKubeProtobuf } from "./encode.ts";

const dir = new URL("./fixtures/", import.meta.url);
const names = ["namespace", "configmap", "deployment", "service-clusterip", "secret-generic", "ingress"];

function fixture(name: string): { body: Uint8Array; json: unknown } {
  const hex = readFileSync(new URL(`kubectl-1.33-${name}.hex`, dir), "utf8").trim();
  const json = JSON.parse(readFileSync(new URL(`kubectl-1.33-${name}.json`, dir), "utf8"));
  return { body: new Uint8Array(Buffer.from(hex, "hex")), json };
}

describe("kubectl 1.33 protobuf request bodies", () => {
  for (const name of names) {
    test(`${name}: decodes to the JSON kubectl itself prints`, () => {
      const { body, json } = fixture(name);
      assert.deepStrictEqual(decodeKubeProtobuf(body), json);
    });
    test(`${name}: re-encodes to the exact bytes kubectl sent`, () => {
      const { body, json } = fixture(name);
      assert.deepStrictEqual(
        Buffer.from(encodeKubeProtobuf(json as never)).toString("hex"),
        Buffer.from(body).toString("hex"),
      );
    });
  }
});
