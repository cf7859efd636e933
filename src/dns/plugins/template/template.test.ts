/**
 * template: answers built from Go-style templates (plugin/template README examples,
 * template_test.go): named groups, index .Match, parseInt, authority SOA with NXDOMAIN,
 * fallthrough versus SERVFAIL, class/type filters, template and RR failures.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { startDNS } from "../../index.ts";
import { dig } from "../../testing/dig.ts";
import { assertSetupErrors } from "../../testing/setup.ts";
import { freeDnsPort } from "../health/testing.ts";
import { Template } from "./gotemplate.ts";
import { parseRR } from "./rr.ts";

test("Go template subset", () => {
  const data = {
    Name: "ip-10-1-2-3.example.",
    Match: ["ip-10-1-2-3.example.", "1"],
    Group: { "0": "x", b: "7b" },
  };
  assert.equal(
    Template.parse("{{ .Name }} 60 IN A 10.{{ index .Match 1 }}").execute(data),
    "ip-10-1-2-3.example. 60 IN A 10.1",
  );
  assert.equal(Template.parse("{{ parseInt .Group.b 16 8 }}").execute(data), "123");
  assert.equal(Template.parse('{{ index .Group "b" }}|{{ .Group.nope }}').execute(data), "7b|<no value>");
  assert.equal(Template.parse("a  {{- .Name -}}  b").execute(data), "aip-10-1-2-3.example.b");
  assert.throws(() => Template.parse("{{ .Name "), /unclosed action/);
  assert.throws(() => Template.parse("{{ nosuch .Name }}"), /function "nosuch" not defined/);
  assert.throws(
    () => Template.parse("{{ parseInt .Group.b 16 8 }}").execute({ Group: { b: "zz" } }),
    /invalid syntax/,
  );
  assert.throws(() => Template.parse("{{ .Nope }}").execute(data), /can't evaluate field Nope/);
});

test("RR text: defaults, parentheses, relative names", () => {
  assert.deepEqual(parseRR("foogle.com 60 IN CNAME google.com"), {
    name: "foogle.com.",
    ttl: 60,
    class: "IN",
    type: "CNAME",
    data: "google.com.",
  });
  const soa = parseRR("invalid. 60 IN SOA ns.invalid. hostmaster.invalid. (1 60 60 60 60)");
  assert.deepEqual(soa.type === "SOA" ? soa.data : undefined, {
    mname: "ns.invalid.",
    rname: "hostmaster.invalid.",
    serial: 1,
    refresh: 60,
    retry: 60,
    expire: 60,
    minimum: 60,
  });
  const a = parseRR("a.example A 10.0.0.1");
  assert.equal(a.type === "A" ? a.ttl : undefined, 3600);
  assert.throws(() => parseRR("a.example 60 IN A 10.0.0"), /bad A/);
});

const corefile = (port: number) => `.:${port} {
  template IN A example {
    match (^|[.])ip-(?P<a>[0-9]*)-(?P<b>[0-9]*)-(?P<c>[0-9]*)-(?P<d>[0-9]*)[.]example[.]$
    answer "{{ .Name }} 60 IN A {{ .Group.a }}.{{ .Group.b }}.{{ .Group.c }}.{{ .Group.d }}"
    fallthrough
  }
  template IN MX example {
    match ^ip0a(?P<b>[a-f0-9]{2})(?P<c>[a-f0-9]{2})(?P<d>[a-f0-9]{2})[.]example[.]$
    answer "{{ .Name }} 60 IN MX 10 {{ .Name }}"
    additional "{{ .Name }} 60 IN A 10.{{ parseInt .Group.b 16 8 }}.{{ parseInt .Group.c 16 8 }}.{{ parseInt .Group.d 16 8 }}"
    authority "example. 60 IN NS ns0.example."
  }
  template ANY ANY invalid {
    rcode NXDOMAIN
    authority "invalid. 60 {{ .Class }} SOA ns.invalid. hostmaster.invalid. (1 60 60 60 60)"
  }
  template IN PTR in-addr.arpa {
    match ^(?P<d>[0-9]*)[.](?P<c>[0-9]*)[.](?P<b>[0-9]*)[.](?P<a>[0-9]*)[.]in-addr[.]arpa[.]$
    answer "{{ .Name }} 60 IN PTR ip-{{ .Group.a }}-{{ .Group.b }}-{{ .Group.c }}-{{ .Group.d }}.example."
  }
  template IN TXT broken.test {
    answer "{{ .Name }} 60 IN TXT"
  }
  whoami
}
`;

test("dig: README examples answer as CoreDNS's do", async () => {
  const port = await freeDnsPort();
  const dns = await startDNS({
    defaultHost: "127.0.0.1",
    defaultPort: port,
    log: () => {},
    corefile: corefile(port),
  });
  try {
    let out = await dig(port, "www.IP-10-1-2-3.example", "A");
    assert.match(out, /status: NOERROR/);
    assert.match(out, /flags: qr aa rd/);
    assert.match(out, /^www\.ip-10-1-2-3\.example\.\s+60\s+IN\s+A\s+10\.1\.2\.3$/m);
    out = await dig(port, "ip0a7b7b7b.example", "MX");
    assert.match(out, /^ip0a7b7b7b\.example\.\s+60\s+IN\s+MX\s+10 ip0a7b7b7b\.example\.$/m);
    assert.match(out, /^ip0a7b7b7b\.example\.\s+60\s+IN\s+A\s+10\.123\.123\.123$/m);
    assert.match(out, /^example\.\s+60\s+IN\s+NS\s+ns0\.example\.$/m);
    out = await dig(port, "3.2.1.10.in-addr.arpa", "PTR");
    assert.match(out, /IN\s+PTR\s+ip-10-1-2-3\.example\.$/m);
    // NXDOMAIN with an SOA for caching, whatever the type.
    out = await dig(port, "foo.invalid", "AAAA");
    assert.match(out, /status: NXDOMAIN/);
    assert.match(out, /^invalid\.\s+60\s+IN\s+SOA\s+ns\.invalid\. hostmaster\.invalid\. 1 60 60 60 60$/m);
    // No regex match with fallthrough: on to whoami; a type no template takes: on as well.
    assert.match(await dig(port, "other.example", "A"), /_udp\.other\.example\.\s+0\s+IN\s+SRV/);
    // No regex match and no fallthrough: SERVFAIL.
    assert.match(await dig(port, "other.example", "MX"), /status: SERVFAIL/);
    // A template that renders an invalid record is SERVFAIL and counted.
    assert.match(await dig(port, "x.broken.test", "TXT"), /status: SERVFAIL/);
    const rr = await dns.registry.getSingleMetric("coredns_template_rr_failures_total")?.get();
    assert.equal(rr?.values[0].value, 1);
    assert.equal(rr?.values[0].labels.section, "answer");
    const matches = await dns.registry.getSingleMetric("coredns_template_matches_total")?.get();
    assert.ok((matches?.values.length ?? 0) >= 4);
  } finally {
    await dns.stop();
  }
});

test("setup errors", async () => {
  const cases: Array<[string, RegExp]> = [
    ["template", /Wrong argument count/],
    ["template XX A", /invalid query class XX/],
    ["template IN BOGUS", /invalid RR class BOGUS/],
    ["template IN A {\n  match (\n }", /could not parse regex: \(/],
    ['template IN A {\n  answer "{{ .Name "\n }', /could not compile template/],
    ["template IN A {\n  rcode NOPE\n }", /unknown rcode NOPE/],
    ["template IN A {\n  var ip 1\n }", /'var' \(expressions\) is not supported/],
    ["template IN A {\n  bogus\n }", /Wrong argument count or unexpected line ending after 'bogus'/],
  ];
  await assertSetupErrors(cases);
});
