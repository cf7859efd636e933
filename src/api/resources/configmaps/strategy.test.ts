import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { errorText } from "../../machinery/field-errors.ts";
import type { KubeObject } from "../../machinery/types.ts";
import { strategy as secrets } from "../secrets/strategy.ts";
import { strategy } from "./strategy.ts";

const cm = (body: Record<string, unknown>): KubeObject => ({
  metadata: { name: "c", namespace: "d" },
  ...body,
});
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("configmap validation (ValidateConfigMap)", () => {
  test("keys, duplicates across data and binaryData", () => {
    const e = strategy
      .validate(cm({ data: { "a b": "x", dup: "1" }, binaryData: { dup: b64("1") } }))
      .map(errorText);
    assert.deepEqual(e, [
      `data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
      'data[dup]: Invalid value: "dup": duplicate of key present in binaryData',
      'binaryData[dup]: Invalid value: "dup": duplicate of key present in data',
    ]);
    assert.deepEqual(
      strategy.validate(cm({ data: { "..x": "1" } })).map((x) => x.detail),
      ["must not start with '..'"],
    );
  });
  test("total size ≤ 1 MiB", () => {
    assert.deepEqual(strategy.validate(cm({ data: { a: "x".repeat(1048577) } })).map(errorText), [
      "Too long: must have at most 1048576 bytes",
    ]);
    assert.deepEqual(strategy.validate(cm({ data: { a: "x".repeat(1048576) } })), []);
  });
  test("immutable configmaps (ValidateConfigMapUpdate)", () => {
    const old = cm({ immutable: true, data: { a: "1" } });
    assert.deepEqual(strategy.validateUpdate?.(cm({ immutable: true, data: { a: "1" } }), old), []);
    assert.deepEqual(strategy.validateUpdate?.(cm({ data: { a: "2" } }), old).map(errorText), [
      "immutable: Forbidden: field is immutable when `immutable` is set",
      "data: Forbidden: field is immutable when `immutable` is set",
    ]);
  });
});

describe("secret (ValidateSecret, SetDefaults_Secret)", () => {
  const mk = (body: Record<string, unknown>) => {
    const s = cm(body);
    secrets.defaults?.(s);
    return s;
  };
  test("type defaults to Opaque; stringData folds into data", () => {
    const s = mk({ data: { a: b64("old") }, stringData: { a: "new", b: "x" } });
    assert.equal(s.type, "Opaque");
    assert.deepEqual(s.data, { a: b64("new"), b: b64("x") });
    assert.equal(s.stringData, undefined);
  });
  test("tls secrets need tls.crt and tls.key", () => {
    assert.deepEqual(
      secrets.validate(mk({ type: "kubernetes.io/tls", data: { "tls.crt": b64("c") } })).map(errorText),
      ["data[tls.key]: Required value"],
    );
  });
  test("dockerconfigjson must be JSON; basic-auth needs a field", () => {
    const e = secrets.validate(
      mk({ type: "kubernetes.io/dockerconfigjson", data: { ".dockerconfigjson": b64("{") } }),
    );
    assert.equal(e[0].field, "data[.dockerconfigjson]");
    assert.equal(e[0].badValue, "<secret contents redacted>");
    assert.deepEqual(
      secrets.validate(mk({ type: "kubernetes.io/basic-auth" })).map((x) => x.field),
      ["data[username]", "data[password]"],
    );
  });
  test("type immutable; immutable data", () => {
    const old = mk({ data: { a: b64("1") }, immutable: true });
    assert.deepEqual(
      secrets
        .validateUpdate?.(mk({ type: "kubernetes.io/tls", data: { a: b64("2") }, immutable: true }), old)
        .map(errorText),
      [
        'type: Invalid value: "kubernetes.io/tls": field is immutable',
        "data: Forbidden: field is immutable when `immutable` is set",
      ],
    );
  });
});
