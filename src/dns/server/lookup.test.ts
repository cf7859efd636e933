/**
 * Re-querying the server (CoreDNS's pkg/upstream Lookup through dnsserver.Server.ServeDNS): the
 * new question gets the zone lookup and chain of a client query, the reply is captured as written
 * (nonwriter), the client's EDNS is kept (request.NewWithQuestion copies the message),
 * and nesting stops at CoreDNS's maxreentries (10, core/dnsserver/server.go before #2647).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import dnsPacket, { type Answer, type Packet } from "dns-packet";
import { type DNSInstance, startDNS } from "../index.ts";
import { Flag, optOf, rcodeOf, replyTo } from "../message/message.ts";
import type { PluginModule, Request } from "../plugin.ts";
import { encodeQuery, udpExchange } from "../testing/dig.ts";
import { MAX_REENTRIES } from "./lookup.ts";

/** What the last `requery` lookup returned. */
let captured: Packet | undefined | "none";
let reentries = 0;
/** The last request the `silent` plugin saw (a re-query's, when asked through `requery`). */
let seen: Request | undefined;

/** `<target>.via.test.` looks `<target>` up through the server and answers with its answers. */
const requery: PluginModule = {
  name: "requery",
  setup(ctx) {
    ctx.dispenser.next();
    return () => ({
      name: "requery",
      async serveDNS(req, w, signal) {
        assert.ok(req.lookup, "a request from a server can look up");
        const target = req.lname.slice(0, -"via.test.".length) || ".";
        const m = await req.lookup(target, req.qtype as "A", signal);
        captured = m ?? "none";
        w.write({ ...replyTo(req.msg), answers: m?.answers ?? [] });
        return 0;
      },
    });
  },
};

/** Looks its own question up again, forever: only the depth limit stops it. */
const again: PluginModule = {
  name: "again",
  setup(ctx) {
    ctx.dispenser.next();
    return () => ({
      name: "again",
      async serveDNS(req, w, signal) {
        reentries++;
        const m = await req.lookup!(req.name, "A", signal);
        w.write(m ?? replyTo(req.msg));
        return 0;
      },
    });
  },
};

/** 200 A records, to overflow a 512-byte buffer. */
const many: PluginModule = {
  name: "many",
  setup(ctx) {
    ctx.dispenser.next();
    return () => ({
      name: "many",
      serveDNS(req, w) {
        const answers: Answer[] = Array.from({ length: 200 }, (_, i) => ({
          name: req.name,
          type: "A",
          ttl: 5,
          data: `10.0.${i >> 8}.${i & 255}`,
        }));
        w.write({ ...replyTo(req.msg), answers });
        return Promise.resolve(0);
      },
    });
  },
};

/** Returns NOERROR without writing anything. */
const silent: PluginModule = {
  name: "silent",
  setup(ctx) {
    ctx.dispenser.next();
    return () => ({
      name: "silent",
      serveDNS: (req) => {
        seen = req;
        return Promise.resolve(0);
      },
    });
  },
};

const query = (name: string, extra: Partial<Packet> = {}) => encodeQuery(name, "A", 7, extra);

describe("server re-query (Request.lookup)", () => {
  let dns: DNSInstance;
  let port: number;
  const logs: string[] = [];
  before(async () => {
    dns = await startDNS({
      corefile: `via.test {
  requery
}
example.org {
  hosts {
    10.1.1.1 www.example.org
  }
}
big.test {
  many
}
loop.test {
  again
}
silent.test {
  silent
}
`,
      defaultPort: 0,
      defaultHost: "127.0.0.1",
      plugins: [requery, again, many, silent],
      log: (l) => logs.push(l),
    });
    port = dns.addresses[0].port;
  });
  after(() => dns.stop());

  async function ask(name: string, extra: Partial<Packet> = {}) {
    const buf = await udpExchange(port, query(name, extra), 2000);
    assert.ok(buf, `an answer for ${name}`);
    return dnsPacket.decode(buf);
  }

  test("the question goes through the zone lookup: another block's hosts answers it", async () => {
    const r = await ask("www.example.org.via.test.");
    assert.equal(rcodeOf(r), 0);
    // hosts' own TTL (3600) comes back unchanged.
    assert.deepEqual(
      r.answers?.map((a) => [a.name, a.type, "ttl" in a ? a.ttl : -1, (a as { data: unknown }).data]),
      [["www.example.org", "A", 3600, "10.1.1.1"]],
    );
    assert.ok(captured !== "none" && captured);
    assert.equal(captured.id, 7, "same id as the client's query");
    assert.ok(((captured.flags ?? 0) & Flag.AA) !== 0, "hosts' reply, captured as written");
  });

  test("the client's EDNS0 comes along: the re-query carries its buffer size and DO", async () => {
    seen = undefined;
    await ask("x.silent.test.via.test.", {
      additionals: [
        {
          type: "OPT",
          name: ".",
          udpPayloadSize: 1232,
          extendedRcode: 0,
          ednsVersion: 0,
          flags: dnsPacket.DNSSEC_OK,
          flag_do: true,
          options: [],
        },
      ],
    });
    // Set by the plugin during ask(): TypeScript cannot see that through the call.
    const sub = seen as Request | undefined;
    assert.ok(sub);
    assert.equal(sub.lname, "x.silent.test.");
    assert.equal(sub.size, 1232);
    assert.equal(sub.do, true);
    assert.equal(optOf(sub.msg)?.udpPayloadSize, 1232);
  });

  test("names no block serves are REFUSED, as for a client", async () => {
    const r = await ask("nothing.invalid.via.test.");
    assert.equal(rcodeOf(r), 0);
    assert.ok(captured !== "none" && captured);
    assert.equal(rcodeOf(captured), 5);
  });

  test("the captured reply is kept as written (nonwriter); only the client's reply is fitted", async () => {
    const r = await ask("a.big.test.via.test.");
    assert.ok(captured !== "none" && captured);
    assert.equal(captured.answers?.length, 200);
    assert.ok(((r.flags ?? 0) & Flag.TC) !== 0, "the client's reply is truncated to 512 bytes");
  });

  test("a chain that writes nothing and returns NOERROR gives no message", async () => {
    await ask("x.silent.test.via.test.");
    assert.equal(captured, "none");
  });

  test("re-entry is bounded: a self-lookup loop ends in SERVFAIL after 10 re-entries", async () => {
    reentries = 0;
    logs.length = 0;
    const r = await ask("x.loop.test.");
    assert.equal(rcodeOf(r), 2);
    assert.equal(MAX_REENTRIES, 10);
    // The client's query plus ten lookups reach the plugin; the eleventh is refused.
    assert.equal(reentries, 1 + MAX_REENTRIES);
    assert.equal(logs.filter((l) => l.includes("lookup loop")).length, 1, logs.join("\n"));
    // The server keeps answering.
    assert.equal(rcodeOf(await ask("www.example.org.via.test.")), 0);
  });
});
