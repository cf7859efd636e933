/** Options and their errors (plugin/kubernetes setup_test.go, setup_ttl_test.go). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Dispenser } from "../../corefile/dispenser.ts";
import { parseCorefile } from "../../corefile/parser.ts";
import { startDNS } from "../../index.ts";
import { parseKubernetes } from "./setup.ts";

function parse(body: string, keys = "cluster.local") {
  const text = `${keys} {\n${body}\n}\n`;
  const [block] = parseCorefile(text, { isDirective: () => true });
  const tokens = block.directives.filter((d) => d.name === "kubernetes").flatMap((d) => d.tokens);
  return parseKubernetes({
    dispenser: new Dispenser(tokens),
    zones: ["cluster.local."],
    corefilePath: "/etc/Corefile",
  });
}

describe("kubernetes setup", () => {
  test("defaults: block zones, ttl 5, pods disabled, startup_timeout 5s", () => {
    const c = parse("kubernetes");
    assert.deepEqual(c.zones, ["cluster.local."]);
    assert.equal(c.ttl, 5);
    assert.equal(c.podMode, "disabled");
    assert.equal(c.startupTimeoutMs, 5000);
    assert.equal(c.fallthrough, undefined);
  });

  test("every option", () => {
    const c = parse(`kubernetes Cluster.Local 10.0.0.0/24 ip6.arpa {
    kubeconfig kc.yaml ctx
    namespaces a b
    labels app=web,tier in (x,y)
    pods verified
    endpoint_pod_names
    ttl 30
    noendpoints
    fallthrough in-addr.arpa
    ignore empty_service
    startup_timeout 1m
}`);
    assert.deepEqual(c.zones, ["cluster.local.", "0.0.10.in-addr.arpa.", "ip6.arpa."]);
    assert.equal(c.primaryZone, "cluster.local.");
    assert.deepEqual(c.kubeconfig, { path: "/etc/kc.yaml", context: "ctx" });
    assert.deepEqual([...c.namespaces], ["a", "b"]);
    assert.equal(c.labels, "app=web,tier in (x,y)");
    assert.equal(c.podMode, "verified");
    assert.ok(c.endpointPodNames && c.noEndpoints && c.ignoreEmptyService);
    assert.equal(c.ttl, 30);
    assert.deepEqual(c.fallthrough, ["in-addr.arpa."]);
    assert.equal(c.startupTimeoutMs, 60_000);
    assert.deepEqual(parse("kubernetes {\nfallthrough\n}").fallthrough, ["."]);
  });

  const errors: Array<[string, string, RegExp]> = [
    [
      "unknown option",
      "kubernetes {\n  bogus 1\n}",
      /Corefile:3 - Error during parsing: unknown property 'bogus'/,
    ],
    ["pods value", "kubernetes {\npods maybe\n}", /wrong value for pods: maybe/],
    ["ttl range", "kubernetes {\nttl 3601\n}", /ttl must be in range \[0, 3600\]: 3601/],
    ["ttl syntax", "kubernetes {\nttl x\n}", /invalid syntax/],
    ["kubeconfig args", "kubernetes {\nkubeconfig\n}", /Wrong argument count/],
    [
      "namespaces and namespace_labels",
      "kubernetes {\nnamespaces a\nnamespace_labels x=y\n}",
      /cannot both be set/,
    ],
    ["bad label selector", "kubernetes {\nlabels a in (b\n}", /unable to parse label selector value/],
    ["ignore value", "kubernetes {\nignore everything\n}", /unable to parse ignore value: 'everything'/],
    ["startup_timeout", "kubernetes {\nstartup_timeout soon\n}", /failed to parse startup_timeout: soon/],
    ["reverse zones only", "kubernetes in-addr.arpa", /non-reverse zone name must be used/],
    ["twice", "kubernetes\nkubernetes", /can only be used once per Server Block/],
  ];
  for (const [what, body, re] of errors) test(`error: ${what}`, () => assert.throws(() => parse(body), re));

  test("a bad option stops startDNS before anything is served", async () => {
    await assert.rejects(
      startDNS({
        corefile: ". {\n  kubernetes cluster.local {\n    endpoint http://127.0.0.1:1\n    nope\n  }\n}\n",
        defaultPort: 0,
        defaultHost: "127.0.0.1",
        log: () => {},
      }),
      /plugin\/kubernetes: Corefile:4 - Error during parsing: unknown property 'nope'/,
    );
  });
});
