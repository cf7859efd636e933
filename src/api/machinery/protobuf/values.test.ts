import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatDuration, formatMicroTime, formatTime, parseDuration, parseRFC3339 } from "./values.ts";

describe("special value forms", () => {
  // Expected strings from Go's time.Duration.String documentation and tests.
  test("Go duration strings", () => {
    const cases: Array<[bigint, string]> = [
      [0n, "0s"],
      [1n, "1ns"],
      [1_100n, "1.1\u00b5s"],
      [2_200_000n, "2.2ms"],
      [3_300_000_000n, "3.3s"],
      [270_000_000_000n, "4m30s"],
      [5_400_000_000_000n, "1h30m0s"],
      [-1_500_000_000n, "-1.5s"],
    ];
    for (const [ns, s] of cases) {
      assert.equal(formatDuration(ns), s);
      assert.equal(parseDuration(s), ns);
    }
    assert.equal(parseDuration("1h2m"), 3_720_000_000_000n);
    assert.equal(parseDuration("300us"), 300_000n);
    assert.throws(() => parseDuration("5"));
    assert.throws(() => parseDuration(""));
  });

  test("RFC3339 times: Time drops fractions, MicroTime keeps 6 digits, offsets are honoured", () => {
    assert.deepEqual(parseRFC3339("2024-01-02T03:04:05Z"), { seconds: 1704164645, nanos: 0 });
    assert.deepEqual(parseRFC3339("2024-01-02T05:04:05.5+02:00"), {
      seconds: 1704164645,
      nanos: 500_000_000,
    });
    assert.equal(formatTime(1704164645), "2024-01-02T03:04:05Z");
    assert.equal(formatMicroTime(1704164645, 1_999), "2024-01-02T03:04:05.000001Z");
    assert.equal(formatTime(0), "1970-01-01T00:00:00Z");
    assert.throws(() => parseRFC3339("2024-01-02 03:04:05"));
  });
});
