import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { humanDuration, shortHumanDuration, translateTimestampSince } from "./duration.ts";

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe("humanDuration", () => {
  // Cases from apimachinery pkg/util/duration duration_test.go plus the boundaries of each branch.
  const cases: Array<[number, string]> = [
    [0, "0s"],
    [S, "1s"],
    [70 * S, "70s"],
    [119 * S + 999, "119s"],
    [120 * S, "2m"],
    [150 * S, "2m30s"],
    [190 * S, "3m10s"],
    [9 * M + 59 * S, "9m59s"],
    [10 * M + 30 * S, "10m"],
    [70 * M, "70m"],
    [179 * M, "179m"],
    [3 * H, "3h"],
    [3 * H + 5 * M, "3h5m"],
    [7 * H + 59 * M, "7h59m"],
    [8 * H + 30 * M, "8h"],
    [47 * H, "47h"],
    [48 * H, "2d"],
    [49 * H, "2d1h"],
    [7 * D + 23 * H, "7d23h"],
    [(8 * 24 + 2) * H, "8d"],
    [367 * D, "367d"],
    [(365 * 2 * 24 + 25) * H, "2y1d"],
    [365 * 3 * D, "3y"],
    [(365 * 8 * 24 + 2) * H, "8y"],
  ];
  for (const [ms, want] of cases) {
    test(`${ms}ms → ${want}`, () => assert.equal(humanDuration(ms), want));
  }

  test("up to one second in the future is now; more is invalid", () => {
    assert.equal(humanDuration(-500), "0s");
    assert.equal(humanDuration(-1999), "0s");
    assert.equal(humanDuration(-2000), "<invalid>");
  });
});

describe("shortHumanDuration", () => {
  const cases: Array<[number, string]> = [
    [S, "1s"],
    [59 * S, "59s"],
    [70 * S, "1m"],
    [59 * M, "59m"],
    [70 * M, "1h"],
    [47 * H, "1d"],
    [364 * D, "364d"],
    [(365 * 2 + 10) * D, "2y"],
    [-3 * S, "<invalid>"],
  ];
  for (const [ms, want] of cases) {
    test(`${ms}ms → ${want}`, () => assert.equal(shortHumanDuration(ms), want));
  }
});

describe("translateTimestampSince", () => {
  const now = new Date("2024-05-01T12:00:00Z");
  test("age of a past timestamp", () => {
    assert.equal(translateTimestampSince("2024-05-01T11:57:30Z", now), "2m30s");
  });
  test("missing or zero timestamps are <unknown> (printers' translateTimestampSince)", () => {
    assert.equal(translateTimestampSince(undefined, now), "<unknown>");
    assert.equal(translateTimestampSince(null, now), "<unknown>");
    assert.equal(translateTimestampSince("", now), "<unknown>");
    assert.equal(translateTimestampSince("0001-01-01T00:00:00Z", now), "<unknown>");
  });
  test("future timestamps are <invalid>", () => {
    assert.equal(translateTimestampSince("2024-05-01T12:01:00Z", now), "<invalid>");
  });
});
