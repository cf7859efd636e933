/** autopath (plugin/autopath autopath_test.go, plugin/kubernetes autopath.go). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Handler } from "../../plugin.ts";
import { ask, namespaces, options, pods, services, slices } from "../kubernetes/fixtures.test-util.ts";
import { Kubernetes } from "../kubernetes/kubernetes.ts";
import { staticView } from "../kubernetes/view.ts";
import { AutoPath } from "./autopath.ts";
import { searchFromResolvConf } from "./setup.ts";

/** Answers A 127.0.0.53 for `found`, NXDOMAIN for everything else; remembers the names asked. */
function backend(found: string, asked: string[]): Handler {
  return {
    name: "test",
    async serveDNS(req, w) {
      asked.push(req.name);
      const hit = req.lname === found;
      w.write({
        id: req.msg.id,
        type: "response",
        flags: 0x8400 | (hit ? 0 : 3),
        questions: req.msg.questions,
        answers: hit ? [{ name: req.name, type: "A", class: "IN", ttl: 3600, data: "127.0.0.53" }] : [],
      });
      return hit ? 0 : 3;
    },
  };
}

const search = ["default.svc.cluster.local.", "svc.cluster.local.", "cluster.local.", "com.", ""];

describe("autopath", () => {
  test("the first non-NXDOMAIN answer, with a CNAME from the asked name", async () => {
    const asked: string[] = [];
    const ap = new AutoPath({ zones: ["."], search, server: "dns://:53" });
    ap.next = backend("a.example.com.", asked);
    const r = await ask(ap, "a.example.default.svc.cluster.local.", "A");
    assert.equal(r.rcode, 0);
    assert.deepEqual(r.answer, [
      "a.example.default.svc.cluster.local. 3600 CNAME a.example.com.",
      "a.example.com. 3600 A 127.0.0.53",
    ]);
    assert.equal(r.msg.questions?.[0].name, "a.example.default.svc.cluster.local.");
    assert.deepEqual(asked, [
      "a.example.default.svc.cluster.local.",
      "a.example.svc.cluster.local.",
      "a.example.cluster.local.",
      "a.example.com.",
    ]);
  });

  test("every element NXDOMAIN: the first reply is returned", async () => {
    const asked: string[] = [];
    const ap = new AutoPath({ zones: ["."], search, server: "dns://:53" });
    ap.next = backend("never.", asked);
    const r = await ask(ap, "b.default.svc.cluster.local.", "A");
    assert.equal(r.rcode, 3);
    assert.equal(asked.length, 5);
    assert.equal(asked[4], "b.");
  });

  test("a query not ending with the first search element passes through untouched", async () => {
    const asked: string[] = [];
    const ap = new AutoPath({ zones: ["."], search, server: "dns://:53" });
    ap.next = backend("x.", asked);
    await ask(ap, "b.other.svc.cluster.local.", "A");
    assert.deepEqual(asked, ["b.other.svc.cluster.local."]);
  });

  test("@kubernetes: a verified pod's namespace starts its path; others pass through", async () => {
    const k = new Kubernetes(
      staticView({ services, slices, pods, namespaces }),
      options({ podMode: "verified" }),
    );
    const ap = new AutoPath({ zones: ["."], server: "dns://:53", searchFunc: (req) => k.autoPath(req) });
    ap.next = k;
    // The pod 10.240.0.1 lives in podns: its resolver asks svc1.testns.podns.svc.cluster.local first.
    const r = await ask(ap, "svc1.testns.podns.svc.cluster.local.", "A", "10.240.0.1");
    assert.deepEqual(r.answer, [
      "svc1.testns.podns.svc.cluster.local. 5 CNAME svc1.testns.svc.cluster.local.",
      "svc1.testns.svc.cluster.local. 5 A 10.0.0.1",
    ]);
    const stranger = await ask(ap, "svc1.testns.podns.svc.cluster.local.", "A", "10.9.9.9");
    assert.equal(stranger.rcode, 3);
  });

  test("resolv.conf search line, fully qualified and lowercased", () => {
    assert.deepEqual(searchFromResolvConf("nameserver 1.1.1.1\nsearch Example.org b.test # c\n"), [
      "example.org.",
      "b.test.",
    ]);
  });
});
