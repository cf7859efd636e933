import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  addRequirements,
  everything,
  fromLabelSelector,
  isEmpty,
  type LabelSelector,
  matches,
  newRequirement,
  nothing,
  parseLabelSelector,
  requiresExactMatch,
  SelectorError,
  selectorFromMap,
  selectorString,
  validatedSelectorFromMap,
} from "./label.ts";

const parse = parseLabelSelector;
const parsedTo = (s: string) => parse(s).requirements.map((r) => [r.key, r.operator, [...r.values]]);

// Messages assembled here the way apimachinery does, to keep the expected texts readable.
const qualifiedNameMsg =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const labelValueMsg =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe("parseLabelSelector: good strings round-trip through String()", () => {
  // selector_test.go TestSelectorParse testGoodStrings: String() equals the input without spaces.
  for (const s of ["x=a,y=b,z=c", "", "x!=a,y=b", "x=", "x= ", "x=,z= ", "x= ,z= ", "!x", "x>1", "x>1,z<5"]) {
    test(JSON.stringify(s), () => {
      assert.equal(selectorString(parse(s)), s.replaceAll(" ", ""));
    });
  }
  // TestDeterministicParse: requirements are sorted by key.
  test("deterministic order", () => {
    assert.equal(selectorString(parse("x=a,a=x")), selectorString(parse("a=x,x=a")));
    assert.equal(selectorString(parse("x=a,a=x")), "a=x,x=a");
  });
});

describe("parseLabelSelector: TestSetSelectorParser table", () => {
  // selector_test.go TestSetSelectorParser, the valid rows and what they parse to.
  const good: Array<[string, Array<[string, string, string[]]>]> = [
    ["", []],
    ["\rx", [["x", "exists", []]]],
    ["this-is-a-dns.domain.com/key-with-dash", [["this-is-a-dns.domain.com/key-with-dash", "exists", []]]],
    [
      "this-is-another-dns.domain.com/key-with-dash in (so,what)",
      [["this-is-another-dns.domain.com/key-with-dash", "in", ["so", "what"]]],
    ],
    [
      "0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
      [["0.1.2.domain/99", "notin", ["10.10.100.1", "tick.tack.clock"]]],
    ],
    ["foo  in\t (abc)", [["foo", "in", ["abc"]]]],
    ["x notin\n (abc)", [["x", "notin", ["abc"]]]],
    ["x  notin\t\t\t(abc,def)", [["x", "notin", ["abc", "def"]]]],
    ["x in (abc,def)", [["x", "in", ["abc", "def"]]]],
    ["x in (abc,)", [["x", "in", ["", "abc"]]]],
    ["x in (abc,abc)", [["x", "in", ["abc"]]]],
    ["x in ()", [["x", "in", [""]]]],
    // Consecutive commas: accepted since apimachinery commit 65de33d3 (Kubernetes 1.35).
    ["x in (a,,)", [["x", "in", ["", "a"]]]],
    ["x in (a,,,)", [["x", "in", ["", "a"]]]],
    ["x in (a,,,,,,)", [["x", "in", ["", "a"]]]],
    ["x in (a,,a,,a,,a,,)", [["x", "in", ["", "a"]]]],
    [
      "x notin (abc,,def),bar,z in (),w",
      [
        ["bar", "exists", []],
        ["w", "exists", []],
        ["x", "notin", ["", "abc", "def"]],
        ["z", "in", [""]],
      ],
    ],
    [
      "x,y in (a)",
      [
        ["x", "exists", []],
        ["y", "in", ["a"]],
      ],
    ],
    ["x=a", [["x", "=", ["a"]]]],
    ["x>1", [["x", "gt", ["1"]]]],
    ["x<7", [["x", "lt", ["7"]]]],
    [
      "x=a,y!=b",
      [
        ["x", "=", ["a"]],
        ["y", "!=", ["b"]],
      ],
    ],
    [
      "x=a,y!=b,z in (h,i,j)",
      [
        ["x", "=", ["a"]],
        ["y", "!=", ["b"]],
        ["z", "in", ["h", "i", "j"]],
      ],
    ],
    ["x notin ( )", [["x", "notin", [""]]]],
    ["x notin (, a)", [["x", "notin", ["", "a"]]]],
    ["a ", [["a", "exists", []]]],
    // `in`/`notin` inside a value list are plain values.
    ["a in (x,y,notin, z,in)", [["a", "in", ["in", "notin", "x", "y", "z"]]]],
    // TestSelectorMatches: keywords as key and value in an exact match.
    ["notin=in", [["notin", "=", ["in"]]]],
    ["x==y", [["x", "==", ["y"]]]],
  ];
  for (const [s, want] of good) {
    test(JSON.stringify(s), () => assert.deepEqual(parsedTo(s), want));
  }
});

describe("parseLabelSelector: errors carry kube's messages", () => {
  // Bad rows of TestSelectorParse/TestSetSelectorParser; the texts follow labels/selector.go.
  const bad: Array<[string, string]> = [
    // The value "a||y" is checked before the parser looks past it.
    ["x=a||y=b", `unable to parse requirement: values[0][x]: Invalid value: "a||y": ${labelValueMsg}`],
    ["x==a==b", "found '==', expected: ',' or 'end of string'"],
    ["!x=a", "found '=', expected: ',' or 'end of string'"],
    [
      "x<a",
      `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    ["x,,y", "found ',', expected: identifier after ','"],
    [",x,y", "found ',', expected: !, identifier, or 'end of string'"],
    ["x nott in (y)", "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt"],
    ["a in (xyz),", "found '', expected: identifier after ','"],
    ["a in (xyz)b notin ()", "found 'b', expected: ',' or 'end of string'"],
    ["a in (xyz abc)", "unable to parse requirement: found 'abc', expected: ',' or ')'"],
    ["a notin(", "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ["a (", "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ["(", "found '(', expected: !, identifier, or 'end of string'"],
    ["x in a", "unable to parse requirement: found 'a' expected: '('"],
    ["x in (a=)", "unable to parse requirement: found '=', expected: ',' or ')'"],
    ["x in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ["x in (a,=)", "unable to parse requirement: found '=', expected: ',', or identifier"],
    ["x=(", "unable to parse requirement: found '(', expected: identifier"],
    ["!", "unable to parse requirement: found '', expected: identifier"],
    ["!=a", "found '!=', expected: !, identifier, or 'end of string'"],
    // Keys are qualified names, checked with a nil field path (printed "<nil>").
    [
      "a/b/c",
      `unable to parse requirement: <nil>: Invalid value: "a/b/c": ${"a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"}`,
    ],
    ["-x=a", `unable to parse requirement: <nil>: Invalid value: "-x": ${qualifiedNameMsg}`],
    ["/x", `unable to parse requirement: <nil>: Invalid value: "/x": prefix part must be non-empty`],
    // Values are label values, reported under values[i][key].
    ["x=-a", `unable to parse requirement: values[0][x]: Invalid value: "-a": ${labelValueMsg}`],
    [
      `x=${"a".repeat(64)}`,
      `unable to parse requirement: values[0][x]: Invalid value: "${"a".repeat(64)}": must be no more than 63 characters`,
    ],
    // Gt with a value that is neither an integer nor a label value: both errors, aggregated.
    [
      "x>-a",
      `unable to parse requirement: [values[0]: Invalid value: "-a": for 'Gt', 'Lt' operators, the value must be an integer, values[0][x]: Invalid value: "-a": ${labelValueMsg}]`,
    ],
    // int64 overflow is not an integer for strconv.ParseInt.
    [
      "x>9223372036854775808",
      `unable to parse requirement: values[0]: Invalid value: "9223372036854775808": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
  ];
  for (const [s, msg] of bad) {
    test(JSON.stringify(s), () => {
      assert.throws(
        () => parse(s),
        (e: unknown) => e instanceof SelectorError && e.message === msg,
        `message for ${s}: ${(() => {
          try {
            parse(s);
            return "no error";
          } catch (e) {
            return (e as Error).message;
          }
        })()}`,
      );
    });
  }
});

describe("matches", () => {
  // selector_test.go TestSelectorMatches.
  const cases: Array<[string, Record<string, string>, boolean]> = [
    ["", { x: "y" }, true],
    ["x=y", { x: "y" }, true],
    ["x=y,z=w", { x: "y", z: "w" }, true],
    ["x!=y,z!=w", { x: "z", z: "a" }, true],
    ["notin=in", { notin: "in" }, true],
    ["x", { x: "z" }, true],
    ["!x", { y: "z" }, true],
    ["x>1", { x: "2" }, true],
    ["x<1", { x: "0" }, true],
    ["x=z", {}, false],
    ["x=y", { x: "z" }, false],
    ["x=y,z=w", { x: "w", z: "w" }, false],
    ["x!=y,z!=w", { x: "z", z: "w" }, false],
    ["x", { y: "z" }, false],
    ["!x", { x: "z" }, false],
    ["x>1", { x: "0" }, false],
    ["x<1", { x: "2" }, false],
    ["foo=bar", { foo: "bar", baz: "blah" }, true],
    ["baz=blah", { foo: "bar", baz: "blah" }, true],
    ["foo=bar,baz=blah", { foo: "bar", baz: "blah" }, true],
    ["foo=blah", { foo: "bar", baz: "blah" }, false],
    ["baz=bar", { foo: "bar", baz: "blah" }, false],
    ["foo=bar,foobar=bar,baz=blah", { foo: "bar", baz: "blah" }, false],
    // TestRequirementSelectorMatching.
    ["x in (foo),y notin (alpha)", { x: "foo", y: "baz" }, true],
    ["x in (foo),y in (alpha)", { x: "foo", y: "baz" }, false],
    ["x notin (),y", { y: "" }, true],
    ["!x,y", { y: "" }, true],
    ["x notin (),!y", { y: "" }, false],
    ["x in ()", { y: "baz" }, false],
    ["z>1", { z: "2" }, true],
    ["z>1", { z: "v2" }, false],
    // Label values compare as int64, so "+3" is a number; notin/!= match absent keys.
    ["z>2", { z: "+3" }, true],
    ["x!=a", {}, true],
    ["x=", { x: "" }, true],
    ["x=", {}, false],
  ];
  for (const [s, labels, want] of cases) {
    test(`${JSON.stringify(s)} ~ ${JSON.stringify(labels)}`, () =>
      assert.equal(matches(parse(s), labels), want));
  }
  test("undefined labels are an empty set", () => {
    assert.equal(matches(parse("x"), undefined), false);
    assert.equal(matches(parse("!x"), undefined), true);
    assert.equal(matches(parse(""), undefined), true);
  });
  test("inherited object properties are not labels", () => {
    assert.equal(matches(parse("constructor"), {}), false);
    assert.equal(matches(parse("toString=x"), {}), false);
  });
  test("Nothing() matches nothing, everything() everything", () => {
    assert.equal(matches(nothing(), {}), false);
    assert.equal(matches(everything(), { a: "b" }), true);
    assert.equal(isEmpty(everything()), true);
    assert.equal(isEmpty(nothing()), false);
  });
});

describe("String()", () => {
  // selector_test.go TestToString (built from requirements; values sorted).
  const sel = (...rs: Array<[string, string, string[] | null]>): LabelSelector => ({
    nothing: false,
    requirements: rs.map(([k, op, v]) => newRequirement(k, op, v)),
  });
  test("in/notin/exists", () => {
    assert.equal(
      selectorString(sel(["x", "in", ["abc", "def"]], ["y", "notin", ["jkl"]], ["z", "exists", []])),
      "x in (abc,def),y notin (jkl),z",
    );
    assert.equal(
      selectorString(sel(["x", "notin", ["def", "abc"]], ["y", "!=", ["jkl"]], ["z", "!", []])),
      "x notin (abc,def),y!=jkl,!z",
    );
    assert.equal(
      selectorString(sel(["x", "notin", ["abc"]], ["y", "in", ["jkl", "mno"]], ["z", "notin", [""]])),
      "x notin (abc),y in (jkl,mno),z notin ()",
    );
    assert.equal(
      selectorString(sel(["x", "=", ["abc"]], ["y", "==", ["jkl"]], ["z", "!=", ["a"]], ["z", "exists", []])),
      "x=abc,y==jkl,z!=a,z",
    );
    assert.equal(
      selectorString(sel(["x", "gt", ["2"]], ["y", "lt", ["8"]], ["z", "exists", []])),
      "x>2,y<8,z",
    );
  });
  test("Nothing() prints empty", () => assert.equal(selectorString(nothing()), ""));
});

describe("newRequirement", () => {
  // selector_test.go TestRequirementConstructor, with the full texts.
  const cases: Array<[string, string, string[] | null, string | null]> = [
    [
      "x1",
      "in",
      null,
      `values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty`,
    ],
    [
      "x2",
      "notin",
      [],
      `values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty`,
    ],
    ["x3", "in", ["foo"], null],
    ["x4", "notin", ["foo"], null],
    [
      "x5",
      "=",
      ["bar", "foo"],
      `values: Invalid value: []string{"bar", "foo"}: exact-match compatibility requires one single value`,
    ],
    ["x6", "exists", [], null],
    ["x7", "!", [], null],
    [
      "x8",
      "exists",
      ["foo"],
      `values: Invalid value: []string{"foo"}: values set must be empty for exists and does not exist`,
    ],
    ["x11", "gt", ["1"], null],
    ["x12", "lt", ["6"], null],
    [
      "x13",
      "gt",
      [],
      `values: Invalid value: []string{}: for 'Gt', 'Lt' operators, exactly one value is required`,
    ],
    [
      "x14",
      "gt",
      ["bar"],
      `values[0]: Invalid value: "bar": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    [
      "x15",
      "lt",
      ["bar"],
      `values[0]: Invalid value: "bar": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    [
      "a".repeat(254),
      "exists",
      [],
      `key: Invalid value: "${"a".repeat(254)}": name part must be no more than 63 characters`,
    ],
    [
      "x16",
      "=",
      ["a".repeat(254)],
      `values[0][x16]: Invalid value: "${"a".repeat(254)}": must be no more than 63 characters`,
    ],
    ["x17", "=", ["a b"], `values[0][x17]: Invalid value: "a b": ${labelValueMsg}`],
    [
      "x18",
      "unsupportedOp",
      [],
      `operator: Unsupported value: "unsupportedOp": supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"`,
    ],
  ];
  for (const [key, op, vals, msg] of cases) {
    test(`${key.slice(0, 10)} ${op}`, () => {
      if (msg === null) {
        assert.doesNotThrow(() => newRequirement(key, op, vals));
        return;
      }
      assert.throws(
        () => newRequirement(key, op, vals),
        (e: unknown) => e instanceof SelectorError && e.message === msg,
      );
    });
  }
  test("matching on Gt/Lt with negative numbers (values built directly)", () => {
    // Requirement.Matches parses both sides as int64; "-4" cannot come from a label value, but
    // the label side can hold "+3".
    const gt = { nothing: false, requirements: [newRequirement("z", "gt", ["2"])] };
    assert.equal(matches(gt, { z: "+3" }), true);
    assert.equal(matches(gt, { z: "3.5" }), false);
    assert.equal(matches(gt, { z: "99999999999999999999" }), false);
  });
});

describe("requiresExactMatch", () => {
  // selector_test.go TestRequiresExactMatch.
  test("table", () => {
    assert.equal(requiresExactMatch(parse("key in (value)"), "key"), "value");
    assert.equal(requiresExactMatch(parse("key in (value,value2)"), "key"), undefined);
    assert.equal(requiresExactMatch(parse("key in (value,value1),key2 in (value2)"), "key2"), "value2");
    assert.equal(requiresExactMatch(parse("key=value"), "key"), "value");
    assert.equal(requiresExactMatch(parse("key==value"), "key"), "value");
    assert.equal(requiresExactMatch(parse("key!=value"), "key"), undefined);
    assert.equal(requiresExactMatch(parse("key in (value),key2 in (value2)"), "key"), "value");
    assert.equal(requiresExactMatch(parse("other=value"), "key"), undefined);
  });
});

describe("selectorFromMap / validatedSelectorFromMap", () => {
  // selector_test.go TestSetMatches, TestSetSelectorString, TestNilMapIsValid, TestValidatedSelectorFromSet.
  test("matches subsets, sorted String()", () => {
    const labels = { foo: "bar", baz: "blah" };
    for (const set of [{}, { foo: "bar" }, { baz: "blah" }, { foo: "bar", baz: "blah" }] as Record<
      string,
      string
    >[])
      assert.equal(matches(selectorFromMap(set), labels), true);
    assert.equal(matches(selectorFromMap({ foo: "baz" }), labels), false);
    assert.equal(selectorString(selectorFromMap({})), "");
    assert.equal(selectorString(selectorFromMap({ app: "foo" })), "app=foo");
    assert.equal(selectorString(selectorFromMap({ app: "foo", a: "b" })), "a=b,app=foo");
  });
  test("nil map is empty (everything)", () => {
    assert.equal(isEmpty(selectorFromMap(undefined)), true);
    assert.equal(matches(selectorFromMap(null), { a: "b" }), true);
  });
  test("validated: a too-long value", () => {
    const v = "axahm2EJ8Phiephe2eixohbee9eGeiyees1thuozi1xoh0GiuH3diewi8iem7Nui";
    assert.throws(
      () => validatedSelectorFromMap({ Key: v }),
      (e: unknown) =>
        e instanceof SelectorError &&
        e.message === `values[0][Key]: Invalid value: "${v}": must be no more than 63 characters`,
    );
    assert.equal(selectorString(validatedSelectorFromMap({ key: "val" })), "key=val");
  });
});

describe("fromLabelSelector (metav1.LabelSelectorAsSelector)", () => {
  // apimachinery pkg/apis/meta/v1/helpers.go and helpers_test.go TestLabelSelectorAsSelector.
  test("nil selects nothing, empty selects everything", () => {
    assert.equal(matches(fromLabelSelector(null), {}), false);
    assert.equal(matches(fromLabelSelector(undefined), { a: "b" }), false);
    assert.equal(matches(fromLabelSelector({}), { a: "b" }), true);
    assert.equal(matches(fromLabelSelector({ matchLabels: {}, matchExpressions: [] }), {}), true);
  });
  test("matchLabels and expressions", () => {
    const sel = fromLabelSelector({
      matchLabels: { foo: "bar" },
      matchExpressions: [
        { key: "baz", operator: "In", values: ["qux", "norf"] },
        { key: "a", operator: "NotIn", values: ["b"] },
        { key: "e", operator: "Exists" },
        { key: "d", operator: "DoesNotExist" },
      ],
    });
    assert.equal(selectorString(sel), "a notin (b),baz in (norf,qux),!d,e,foo=bar");
    assert.equal(matches(sel, { foo: "bar", baz: "qux", e: "" }), true);
    assert.equal(matches(sel, { foo: "bar", baz: "qux", e: "", d: "x" }), false);
    assert.equal(matches(sel, { foo: "bar", baz: "other", e: "" }), false);
    assert.equal(matches(sel, { foo: "bar", baz: "norf", e: "", a: "b" }), false);
  });
  test("bad operator and bad values", () => {
    assert.throws(
      () => fromLabelSelector({ matchExpressions: [{ key: "foo", operator: "exists" }] }),
      (e: unknown) =>
        e instanceof SelectorError && e.message === `"exists" is not a valid label selector operator`,
    );
    assert.throws(
      () => fromLabelSelector({ matchExpressions: [{ key: "foo", operator: "In", values: [] }] }),
      (e: unknown) =>
        e instanceof SelectorError &&
        e.message ===
          `values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty`,
    );
    assert.throws(
      () => fromLabelSelector({ matchExpressions: [{ key: "foo", operator: "Exists", values: ["x"] }] }),
      (e: unknown) =>
        e instanceof SelectorError &&
        e.message ===
          `values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist`,
    );
    assert.throws(
      () => fromLabelSelector({ matchLabels: { "a b": "c" } }),
      (e: unknown) => e instanceof SelectorError && e.message.startsWith(`key: Invalid value: "a b": `),
    );
  });
  test("addRequirements keeps key order and Nothing()", () => {
    const s = addRequirements(parse("b=1"), newRequirement("a", "exists", []));
    assert.equal(selectorString(s), "a,b=1");
    assert.equal(addRequirements(nothing(), newRequirement("a", "exists", [])).nothing, true);
  });
});
