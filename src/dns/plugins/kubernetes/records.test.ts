/** parse.go's request form, read by index, against the label-splitting definition. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseRequest, type RecordRequest } from "./records.ts";

/** The split-based reading the index arithmetic replaced (plugin/kubernetes parse.go). */
function reference(lname: string, zone: string): RecordRequest | undefined {
  const r: RecordRequest = { port: "", protocol: "", endpoint: "", service: "", namespace: "", podOrSvc: "" };
  const base =
    zone === "." ? lname.replace(/\.$/, "") : lname.slice(0, lname.length - zone.length).replace(/\.$/, "");
  if (base === "" || base === "svc" || base === "pod") return r;
  const segs = base.split(".");
  const strip = (s: string) => (s.startsWith("_") ? s.slice(1) : s);
  let last = segs.length - 1;
  r.podOrSvc = segs[last];
  if (r.podOrSvc !== "pod" && r.podOrSvc !== "svc") return undefined;
  if (--last < 0) return r;
  r.namespace = segs[last];
  if (--last < 0) return r;
  r.service = segs[last];
  if (--last < 0) return r;
  if (last === 0) r.endpoint = segs[0];
  else if (last === 1) {
    r.protocol = strip(segs[1]);
    r.port = strip(segs[0]);
  } else return undefined;
  return r;
}

describe("parseRequest", () => {
  test("the forms of the spec", () => {
    const z = "cluster.local.";
    assert.deepEqual(parseRequest("svc1.testns.svc.cluster.local.", z), {
      port: "",
      protocol: "",
      endpoint: "",
      service: "svc1",
      namespace: "testns",
      podOrSvc: "svc",
    });
    assert.deepEqual(parseRequest("_http._tcp.svc1.testns.svc.cluster.local.", z), {
      port: "http",
      protocol: "tcp",
      endpoint: "",
      service: "svc1",
      namespace: "testns",
      podOrSvc: "svc",
    });
    assert.equal(parseRequest("hostname1.hdls1.testns.svc.cluster.local.", z)?.endpoint, "hostname1");
    assert.equal(parseRequest("1-2-3-4.podns.pod.cluster.local.", z)?.podOrSvc, "pod");
    // Search-path tries: too many labels, or no svc/pod label where it belongs.
    assert.equal(parseRequest("svc1.testns.svc.cluster.local.svc.cluster.local.", z), undefined);
    assert.equal(parseRequest("svc1.testns.svc.cluster.local.cluster.local.", z), undefined);
    assert.equal(parseRequest("a.b.c.svc1.testns.svc.cluster.local.", z), undefined);
    assert.equal(parseRequest("foo.cluster.local.", z), undefined);
  });

  test("agrees with the label-splitting reading on every shape", () => {
    const labels = ["", "_", "_http", "_tcp", "svc", "pod", "svcx", "xsvc", "po", "ns", "a-b", "SVC"];
    const names: string[] = [];
    const grow = (prefix: string[], depth: number) => {
      names.push(prefix.join("."));
      if (depth === 0) return;
      for (const l of labels) grow([l, ...prefix], depth - 1);
    };
    grow([], 4);
    let n = 0;
    for (const base of names) {
      for (const zone of ["cluster.local.", "."]) {
        const lname = zone === "." ? `${base}.` : base === "" ? zone : `${base}.${zone}`;
        assert.deepEqual(parseRequest(lname, zone), reference(lname, zone), `${lname} in ${zone}`);
        n++;
      }
    }
    // Six labels deep too (port, proto and one more: invalid).
    for (const lname of [
      "a._b._c.d.e.svc.cluster.local.",
      "_a._b.c.d.svc.cluster.local.",
      "_._.c.d.svc.cluster.local.",
    ]) {
      assert.deepEqual(parseRequest(lname, "cluster.local."), reference(lname, "cluster.local."), lname);
    }
    assert.ok(n > 10_000);
  });
});
