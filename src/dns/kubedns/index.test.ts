/**
 * The kube-dns ConfigMap → Corefile translation. Expectations follow kubeadm's translation and its
 * tests (cmd/kubeadm/app/phases/addons/dns: dns.go, dns_test.go, manifests.go): one block per stub
 * domain keyed DOMAIN:53 with errors, cache 30, loop, forward; upstreams joined into the main
 * block's forward, /etc/resolv.conf without them; hostnames left out.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { normalizeKey } from "../corefile/address.ts";
import { parseCorefile } from "../corefile/parser.ts";
import { ORDER } from "../plugins/index.ts";
import { KubeDNSConfigError, kubeDNSConfigMapToCorefile, translateKubeDNS } from "./index.ts";

const yamlMap = (data: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: kube-dns
  namespace: kube-system
data:
${data}`;

const MAIN = (forward: string, domain = "cluster.local") => `.:53 {
    errors
    health {
        lameduck 5s
    }
    ready
    kubernetes ${domain} in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    prometheus :9153
    forward . ${forward}
    cache 30
    loop
    reload
    loadbalance
}
`;

/** The Corefile parses with CoreDNS's directive set and every key is a valid zone. */
function assertParses(corefile: string): string[] {
  const known = new Set(ORDER);
  const blocks = parseCorefile(corefile, { isDirective: (n) => known.has(n) });
  return blocks.flatMap((b) =>
    b.keys.flatMap((k) => normalizeKey(k.text, 53).map((z) => `${z.zone}:${z.port}`)),
  );
}

test("stub domains and upstreams (the Kubernetes docs' example, kubeadm dns_test.go)", () => {
  const out = kubeDNSConfigMapToCorefile(
    yamlMap(`  stubDomains: |
    {"abc.com" : ["1.2.3.4"], "my.cluster.local" : ["2.3.4.5"]}
  upstreamNameservers: |
    ["8.8.8.8", "8.8.4.4"]
`),
  );
  assert.equal(
    out,
    `${MAIN("8.8.8.8 8.8.4.4")}abc.com:53 {
    errors
    cache 30
    loop
    forward . 1.2.3.4
}
my.cluster.local:53 {
    errors
    cache 30
    loop
    forward . 2.3.4.5
}
`,
  );
  assert.deepEqual(assertParses(out), [".:53", "abc.com.:53", "my.cluster.local.:53"]);
});

test("no ConfigMap data: the kubeadm default Corefile forwarding to /etc/resolv.conf", () => {
  const out = kubeDNSConfigMapToCorefile(yamlMap("").replace(/^data:\n/m, ""));
  assert.equal(out, MAIN("/etc/resolv.conf"));
  assertParses(out);
});

test("several nameservers and ports are kept as written, IPv6 included", () => {
  // dns_test.go: "1.2.3.4:5300","3.3.3.3" → forward . 1.2.3.4:5300 3.3.3.3; "[2003::1]:53" kept.
  const { corefile, warnings } = translateKubeDNS(
    JSON.stringify({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "kube-dns", namespace: "kube-system" },
      data: {
        stubDomains: '{"foo.com" : ["1.2.3.4:5300","3.3.3.3"]}',
        upstreamNameservers: '["[2003::1]:53", "8.8.4.4", "fd00::53"]',
      },
    }),
  );
  assert.deepEqual(warnings, []);
  assert.match(corefile, /^ {4}forward \. \[2003::1\]:53 8\.8\.4\.4 fd00::53$/m);
  assert.match(
    corefile,
    /^foo\.com:53 \{\n {4}errors\n {4}cache 30\n {4}loop\n {4}forward \. 1\.2\.3\.4:5300 3\.3\.3\.3\n\}$/m,
  );
  assertParses(corefile);
});

test("hostnames are left out with a warning; a stub domain with none left is dropped", () => {
  // dns_test.go: "If Hostname present: Omit Hostname" and "All hostname: return empty".
  const out = kubeDNSConfigMapToCorefile(
    yamlMap(`  stubDomains: '{"bar.com" : ["1.2.3.4:5300","service.consul"], "foo.com" : ["service.consul"]}'
  upstreamNameservers: '["service.consul", "ns.foo.com", "8.8.4.4"]'
`),
  );
  assert.match(out, /^# WARNING: stubDomains\["bar\.com"\]: hostname service\.consul was left out/m);
  assert.match(out, /^# WARNING: stub domain foo\.com was left out/m);
  assert.match(out, /^# WARNING: upstreamNameservers: hostname ns\.foo\.com was left out/m);
  assert.match(out, /^ {4}forward \. 8\.8\.4\.4$/m);
  assert.match(out, /^bar\.com:53 \{[^}]*forward \. 1\.2\.3\.4:5300\n\}/m);
  assert.doesNotMatch(out, /^foo\.com:53/m);
  assert.deepEqual(assertParses(out), [".:53", "bar.com.:53"]);
});

test("upstreams that are all hostnames fall back to /etc/resolv.conf rather than an empty forward", () => {
  const { corefile, warnings } = translateKubeDNS(yamlMap(`  upstreamNameservers: '["ns.foo.com"]'\n`));
  assert.match(corefile, /^ {4}forward \. \/etc\/resolv\.conf$/m);
  assert.equal(warnings.length, 2);
  assertParses(corefile);
});

test("the cluster domain can be chosen (kubeadm's networking.dnsDomain)", () => {
  const { corefile } = translateKubeDNS(yamlMap("  upstreamNameservers: '[\"10.0.0.2\"]'\n"), {
    clusterDomain: "corp.example.",
  });
  assert.equal(corefile, MAIN("10.0.0.2", "corp.example"));
});

test("a List or several documents: the ConfigMap named kube-dns is used", () => {
  const other = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: coredns\ndata:\n  Corefile: x\n";
  const multi = `${other}---\n${yamlMap("  upstreamNameservers: '[\"1.1.1.1\"]'\n")}`;
  assert.match(kubeDNSConfigMapToCorefile(multi), /forward \. 1\.1\.1\.1$/m);
  const list = JSON.stringify({
    apiVersion: "v1",
    kind: "List",
    items: [
      { kind: "ConfigMap", metadata: { name: "kube-dns" }, data: { upstreamNameservers: '["9.9.9.9"]' } },
    ],
  });
  assert.match(kubeDNSConfigMapToCorefile(list), /forward \. 9\.9\.9\.9$/m);
});

test("bad input is an error that says what to fix", () => {
  const bad: Array<[string, RegExp]> = [
    ["", /the file is empty/],
    ["kind: Service\nmetadata:\n  name: kube-dns\n", /no ConfigMap found/],
    ["kind: ConfigMap\ndata: [\n", /cannot parse the ConfigMap/],
    [yamlMap('  stubDomains: \'{"a.com": ["1.2.3.4"]\'\n'), /data\.stubDomains is not valid JSON/],
    [yamlMap("  stubDomains: '[\"1.2.3.4\"]'\n"), /stubDomains must be a JSON object/],
    [yamlMap("  upstreamNameservers: '\"8.8.8.8\"'\n"), /upstreamNameservers must be a JSON list of strings/],
    [yamlMap("  upstreamNameservers: '[\"8.8.8.8:99999\"]'\n"), /invalid port/],
    [yamlMap("  upstreamNameservers: '[\"not an ip!\"]'\n"), /neither an IP address/],
    [yamlMap('  stubDomains: \'{"bad_domain!": ["1.2.3.4"]}\'\n'), /not a valid domain name/],
    [yamlMap('  stubDomains: \'{"a.com": "1.2.3.4"}\'\n'), /must be a list of nameserver strings/],
    [yamlMap("  upstreamNameservers:\n  - 8.8.8.8\n"), /data\.upstreamNameservers must be a string/],
  ];
  for (const [input, msg] of bad) {
    assert.throws(
      () => kubeDNSConfigMapToCorefile(input),
      (err: unknown) => {
        assert.ok(err instanceof KubeDNSConfigError, String(err));
        assert.match(err.message, msg);
        return true;
      },
    );
  }
});

test("keys kube-dns does not know are reported, federations included", () => {
  const { warnings } = translateKubeDNS(yamlMap('  federations: \'{"foo": "foo.fed.com"}\'\n  extra: x\n'));
  assert.equal(warnings.length, 2);
  assert.match(warnings[0], /federations/);
  assert.match(warnings[1], /"extra"/);
});

test("the example in docs/dns.md is what the translation prints", () => {
  const doc = readFileSync(new URL("../../../docs/dns.md", import.meta.url), "utf8");
  const example = doc.slice(doc.indexOf("### Example"));
  const yaml = /```yaml\n([\s\S]*?)```/.exec(example)?.[1];
  const printed = /```console\n\$ skiff dns --kube-dns-configmap kube-dns\.yaml\n([\s\S]*?)```/.exec(
    example,
  )?.[1];
  assert.ok(yaml && printed, "docs/dns.md has the example");
  assert.equal(kubeDNSConfigMapToCorefile(yaml), printed);
});
