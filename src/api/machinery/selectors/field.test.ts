import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  escapeFieldValue,
  fieldRequiresExactMatch,
  fieldSelectorFromMap,
  fieldSelectorString,
  fieldsUsed,
  isEmptyFields,
  matchesFields,
  parseFieldSelector,
  SelectorError,
  transformFieldSelector,
  unescapeFieldValue,
  unsupportedFieldMessage,
} from "./field.ts";

const parse = parseFieldSelector;
const getter = (set: Record<string, string>) => (f: string) => (Object.hasOwn(set, f) ? set[f] : undefined);
const throwsWith = (fn: () => unknown, msg: string) =>
  assert.throws(fn, (e: unknown) => e instanceof SelectorError && e.message === msg);

describe("parseFieldSelector", () => {
  // fields/selector_test.go TestSelectorParse testGoodStrings: String() gives the input back.
  for (const s of ["x=a,y=b,z=c", "", "x!=a,y=b", "x=a||y\\=b", "x=a\\=\\=b"]) {
    test(`round trip ${JSON.stringify(s)}`, () => assert.equal(fieldSelectorString(parse(s)), s));
  }
  // testBadStrings, with the texts of fields/selector.go.
  const bad: Array<[string, string]> = [
    ["x=a||y=b", "invalid field selector: unescaped character in value: 61"],
    ["x==a==b", "invalid field selector: unescaped character in value: 61"],
    ["x=a,b", "invalid selector: 'x=a,b'; can't understand 'b'"],
    ["x in (a)", "invalid selector: 'x in (a)'; can't understand 'x in (a)'"],
    ["x in (a,b,c)", "invalid selector: 'x in (a,b,c)'; can't understand 'b'"],
    ["x", "invalid selector: 'x'; can't understand 'x'"],
    ["k=\\a", "invalid field selector: invalid escape sequence: \\a"],
    ["k=\\", "invalid field selector: invalid escape sequence: \\"],
    ["k=a\\,,j=\\\\\\", "invalid field selector: invalid escape sequence: \\"],
  ];
  for (const [s, msg] of bad) test(`error ${JSON.stringify(s)}`, () => throwsWith(() => parse(s), msg));

  test("== is an equality term; terms are sorted by their text (TestDeterministicParse)", () => {
    assert.equal(fieldSelectorString(parse("b==1")), "b=1");
    assert.equal(fieldSelectorString(parse("x=a,a=x")), "a=x,x=a");
    assert.equal(fieldSelectorString(parse("x=a,a=x")), fieldSelectorString(parse("a=x,x=a")));
  });
  test("empty terms are skipped; whitespace is part of field and value", () => {
    assert.equal(isEmptyFields(parse(",")), true);
    assert.deepEqual(parse("a=a,").requirements, [{ field: "a", operator: "=", value: "a" }]);
    assert.deepEqual(parse(" a = b").requirements, [{ field: " a ", operator: "=", value: " b" }]);
  });
  test('splitting (TestSplitTerms / TestSplitTerm); raw terms sort "k2=…" before "k=…"', () => {
    assert.deepEqual(parse("k=\\,,k2=v2").requirements, [
      { field: "k2", operator: "=", value: "v2" },
      { field: "k", operator: "=", value: "," },
    ]);
    assert.deepEqual(parse("k=\\\\,k2=v2").requirements, [
      { field: "k2", operator: "=", value: "v2" },
      { field: "k", operator: "=", value: "\\" },
    ]);
    assert.deepEqual(parse("k=\\\\\\,,k2=v2").requirements, [
      { field: "k2", operator: "=", value: "v2" },
      { field: "k", operator: "=", value: "\\," },
    ]);
    assert.deepEqual(parse("함=수,목=록").requirements, [
      { field: "목", operator: "=", value: "록" },
      { field: "함", operator: "=", value: "수" },
    ]);
    // The first operator position wins, "!=" before "==" before "=".
    assert.deepEqual(parse("c!=value").requirements, [{ field: "c", operator: "!=", value: "value" }]);
    assert.deepEqual(parse("!a=b").requirements, [{ field: "!a", operator: "=", value: "b" }]);
  });
});

describe("escaping (TestEscapeValue)", () => {
  const table: Array<[string, string]> = [
    ["", ""],
    ["a", "a"],
    ["=", "\\="],
    [",", "\\,"],
    ["\\", "\\\\"],
    ["\\=\\,\\", "\\\\\\=\\\\\\,\\\\"],
  ];
  for (const [raw, escaped] of table) {
    test(JSON.stringify(raw), () => {
      assert.equal(escapeFieldValue(raw), escaped);
      assert.equal(unescapeFieldValue(escaped), raw);
    });
  }
  test("invalid sequences", () => {
    throwsWith(() => unescapeFieldValue("\\"), "invalid field selector: invalid escape sequence: \\");
    throwsWith(() => unescapeFieldValue("\\\\\\"), "invalid field selector: invalid escape sequence: \\");
    throwsWith(() => unescapeFieldValue("\\a"), "invalid field selector: invalid escape sequence: \\a");
    throwsWith(() => unescapeFieldValue("a,b"), "invalid field selector: unescaped character in value: 44");
  });
});

describe("matchesFields (TestSelectorMatches)", () => {
  const cases: Array<[string, Record<string, string>, boolean]> = [
    ["", { x: "y" }, true],
    ["x=y", { x: "y" }, true],
    ["x=y,z=w", { x: "y", z: "w" }, true],
    ["x!=y,z!=w", { x: "z", z: "a" }, true],
    ["notin=in", { notin: "in" }, true],
    ["x=y", { x: "z" }, false],
    ["x=y,z=w", { x: "w", z: "w" }, false],
    ["x!=y,z!=w", { x: "z", z: "w" }, false],
  ];
  const fieldset = { foo: "bar", baz: "blah", complex: "=value\\,\\" };
  cases.push(
    ["foo=bar", fieldset, true],
    ["baz=blah", fieldset, true],
    ["foo=bar,baz=blah", fieldset, true],
    ["foo=bar,baz=blah,complex=\\=value\\\\\\,\\\\", fieldset, true],
    ["foo=blah", fieldset, false],
    ["baz=bar", fieldset, false],
    ["foo=bar,foobar=bar,baz=blah", fieldset, false],
    // fields.Set.Get gives "" for a missing field.
    ["missing=", {}, true],
    ["missing!=x", {}, true],
    ["missing!=", {}, false],
  );
  for (const [s, set, want] of cases)
    test(`${JSON.stringify(s)} ~ ${JSON.stringify(set)}`, () =>
      assert.equal(matchesFields(parse(s), getter(set)), want));
  test("fieldSelectorFromMap (TestSetMatches)", () => {
    const set = { foo: "bar", baz: "blah" };
    assert.equal(matchesFields(fieldSelectorFromMap({}), getter(set)), true);
    assert.equal(matchesFields(fieldSelectorFromMap({ foo: "bar", baz: "blah" }), getter(set)), true);
    assert.equal(matchesFields(fieldSelectorFromMap({ foo: "=blah" }), getter(set)), false);
    assert.equal(fieldSelectorString(fieldSelectorFromMap({ x: "a,b", a: "1" })), "a=1,x=a\\,b");
    assert.equal(isEmptyFields(fieldSelectorFromMap(null)), true);
  });
});

describe("exact match, fields used, transform", () => {
  test("fieldRequiresExactMatch (TestRequiresExactMatch)", () => {
    assert.equal(fieldRequiresExactMatch(parse(""), "test"), undefined);
    assert.equal(fieldRequiresExactMatch(parse("a=b"), "test"), undefined);
    assert.equal(fieldRequiresExactMatch(parse("test=b"), "test"), "b");
    assert.equal(fieldRequiresExactMatch(parse("test="), "test"), "");
    assert.equal(fieldRequiresExactMatch(parse("test!=b"), "test"), undefined);
    assert.equal(fieldRequiresExactMatch(parse("test!=a,test=b"), "test"), "b");
    assert.equal(
      fieldRequiresExactMatch(parse("metadata.name=web-0,metadata.namespace=x"), "metadata.name"),
      "web-0",
    );
  });
  test("fieldsUsed lists each field once", () => {
    assert.deepEqual(fieldsUsed(parse("spec.nodeName=a,status.phase!=Failed,spec.nodeName!=b")), [
      "spec.nodeName",
      "status.phase",
    ]);
    assert.deepEqual(fieldsUsed(parse("")), []);
  });
  // fields/selector_test.go TestTransform.
  test("transform", () => {
    const id = (f: string, v: string): [string, string] => [f, v];
    assert.equal(fieldSelectorString(transformFieldSelector(parse(""), id)), "");
    assert.equal(fieldSelectorString(transformFieldSelector(parse("a=b,c=d"), id)), "a=b,c=d");
    const aToE = (f: string, v: string): [string, string] => (f === "a" ? ["e", "f"] : [f, v]);
    assert.equal(fieldSelectorString(transformFieldSelector(parse("a=b,c=d"), aToE)), "e=f,c=d");
    const drop = (): [string, string] => ["", ""];
    assert.equal(isEmptyFields(transformFieldSelector(parse("a=b"), drop)), true);
    const dropC = (f: string, v: string): [string, string] => (f === "c" ? ["", ""] : [f, v]);
    assert.equal(fieldSelectorString(transformFieldSelector(parse("a=b,c=d,e=f"), dropC)), "a=b,e=f");
    // A kind's conversion rejects a field by throwing; the server turns that into 400.
    assert.throws(
      () =>
        transformFieldSelector(parse("spec.bogus=1"), (f) => {
          throw new SelectorError(unsupportedFieldMessage(f));
        }),
      (e: unknown) => e instanceof SelectorError && e.message === "field label not supported: spec.bogus",
    );
  });
});

describe("unsupportedFieldMessage", () => {
  // kubernetes pkg/apis/core/v1/conversion.go (Pod, Node, Service...) and
  // apimachinery runtime.DefaultMetaV1FieldSelectorConversion (kinds without their own list).
  test("texts", () => {
    assert.equal(unsupportedFieldMessage("spec.foo"), "field label not supported: spec.foo");
    assert.equal(
      unsupportedFieldMessage("data.x", "metadataOnly"),
      '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
  });
});
