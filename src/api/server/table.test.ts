import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { StatusError } from "../machinery/errors.ts";
import type { KubeObject } from "../machinery/types.ts";
import { namespace } from "../resources/namespaces/index.ts";
import { pod } from "../resources/pods/index.ts";
import { buildTable, parseIncludeObject, parseTableAccept } from "./table.ts";

const now = new Date("2024-05-01T12:00:00Z");
const ns: KubeObject = {
  apiVersion: "v1",
  kind: "Namespace",
  metadata: {
    name: "default",
    uid: "u1",
    resourceVersion: "7",
    labels: { team: "a" },
    creationTimestamp: "2024-05-01T11:00:00Z",
  },
  spec: { finalizers: ["kubernetes"] },
  status: { phase: "Active" },
};

describe("buildTable", () => {
  test("meta.k8s.io/v1 Table with column definitions, cells and PartialObjectMetadata", () => {
    const t = buildTable(namespace, [ns], {
      includeObject: "Metadata",
      now,
      listMeta: { resourceVersion: "42", continue: "abc", remainingItemCount: 3 },
    });
    assert.deepEqual(t, {
      kind: "Table",
      apiVersion: "meta.k8s.io/v1",
      metadata: { resourceVersion: "42", continue: "abc", remainingItemCount: 3 },
      columnDefinitions: namespace.table.columns.map((c) => ({
        name: c.name,
        type: c.type,
        format: c.format,
        description: c.description,
        priority: c.priority,
      })),
      rows: [
        {
          cells: ["default", "Active", "60m"],
          object: { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: ns.metadata },
        },
      ],
    });
  });

  test("every column definition carries all five fields (kubectl decodes them strictly typed)", () => {
    const t = buildTable(pod, [], { includeObject: "Metadata", now });
    const cols = t.columnDefinitions as Array<Record<string, unknown>>;
    assert.equal(cols.length, 9);
    for (const c of cols)
      assert.deepEqual(Object.keys(c).sort(), ["description", "format", "name", "priority", "type"]);
    assert.deepEqual(cols[0], { ...cols[0], name: "Name", format: "name" });
    assert.deepEqual(t.rows, []);
    assert.deepEqual(t.metadata, {});
  });

  test("includeObject=Object embeds the full object; None leaves it out", () => {
    const full = buildTable(namespace, [ns], { includeObject: "Object", now });
    assert.deepEqual((full.rows as Array<Record<string, unknown>>)[0].object, ns);
    const none = buildTable(namespace, [ns], { includeObject: "None", now });
    assert.deepEqual(none.rows, [{ cells: ["default", "Active", "60m"] }]);
  });

  test("noHeaders leaves the column definitions empty (later watch events)", () => {
    const t = buildTable(namespace, [ns], { includeObject: "Metadata", now, noHeaders: true });
    assert.deepEqual(t.columnDefinitions, []);
    assert.equal((t.rows as unknown[]).length, 1);
  });

  test("v1beta1 tables name their version in both places", () => {
    const t = buildTable(namespace, [ns], { includeObject: "Metadata", now, version: "v1beta1" });
    assert.equal(t.apiVersion, "meta.k8s.io/v1beta1");
    assert.equal(
      (t.rows as Array<{ object: { apiVersion: string } }>)[0].object.apiVersion,
      "meta.k8s.io/v1beta1",
    );
  });
});

describe("parseTableAccept", () => {
  test("kubectl get's Accept header asks for a v1 Table", () => {
    // What kubectl (1.20+) sends for `kubectl get`.
    const accept =
      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
    assert.deepEqual(parseTableAccept(accept), { table: true, version: "v1" });
  });

  test("older clients ask for v1beta1 only", () => {
    assert.deepEqual(
      parseTableAccept("application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json"),
      {
        table: true,
        version: "v1beta1",
      },
    );
  });

  test("plain JSON, a wildcard or nothing is not a Table", () => {
    assert.deepEqual(parseTableAccept("application/json"), { table: false, version: "v1" });
    assert.deepEqual(parseTableAccept("*/*"), { table: false, version: "v1" });
    assert.deepEqual(parseTableAccept(""), { table: false, version: "v1" });
  });

  test("plain JSON first wins over a later Table", () => {
    assert.deepEqual(
      parseTableAccept("application/json,application/json;as=Table;v=v1;g=meta.k8s.io").table,
      false,
    );
  });

  test("ranges the server cannot produce are skipped", () => {
    const accept =
      "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v2;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io";
    assert.deepEqual(parseTableAccept(accept), { table: true, version: "v1" });
    assert.equal(parseTableAccept("application/json;as=Table;v=v1;g=example.com").table, false);
  });

  test("q values order the ranges; q=0 excludes", () => {
    assert.equal(
      parseTableAccept("application/json;q=0.5,application/json;as=Table;v=v1;g=meta.k8s.io").table,
      true,
    );
    assert.equal(
      parseTableAccept("application/json;as=Table;v=v1;g=meta.k8s.io;q=0,application/json").table,
      false,
    );
  });
});

describe("parseIncludeObject", () => {
  test("default is Metadata; the three values pass", () => {
    assert.equal(parseIncludeObject(null), "Metadata");
    assert.equal(parseIncludeObject(""), "Metadata");
    for (const v of ["None", "Metadata", "Object"] as const) assert.equal(parseIncludeObject(v), v);
  });

  test("anything else is a 400 BadRequest (ValidateTableOptions)", () => {
    assert.throws(
      () => parseIncludeObject("metadata"),
      (e: unknown) =>
        e instanceof StatusError &&
        e.code === 400 &&
        e.reason === "BadRequest" &&
        e.message ===
          `Unable to convert to Table as requested: includeObject: Invalid value: "metadata": must be 'Metadata', 'Object', 'None', or empty`,
    );
  });
});
