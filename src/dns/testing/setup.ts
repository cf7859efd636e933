/** Corefile error cases for plugin tests: each directive alone in a `.` block must fail to start. */
import assert from "node:assert/strict";
import { startDNS } from "../index.ts";

export async function assertSetupErrors(cases: ReadonlyArray<readonly [string, RegExp]>): Promise<void> {
  for (const [directive, message] of cases) {
    await assert.rejects(
      startDNS({
        defaultHost: "127.0.0.1",
        defaultPort: 0,
        log: () => {},
        corefile: `. {\n ${directive}\n}\n`,
      }),
      { message },
      directive,
    );
  }
}
