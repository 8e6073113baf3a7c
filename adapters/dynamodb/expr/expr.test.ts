import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Condition, Operand } from "./ast.ts";
import { bindCondition, bindProjection, bindUpdate, ExprBindError, ExprContext } from "./bind.ts";
import { applyUpdate, evaluate, project } from "./evaluate.ts";
import { parseCondition } from "./parser.ts";
import type { AttributeValue, Item } from "../types/attribute-value.ts";

function bindErr(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ExprBindError) return e.message;
    throw e;
  }
  return "no error";
}

describe("condition grammar errors", () => {
  const ctx = () => new ExprContext({ "#a": "a" }, { ":v": { S: "x" }, ":n": { N: "1" }, ":m": { N: "5" } });
  const cases: [string, string][] = [
    ["", "Invalid ConditionExpression: The expression can not be empty;"],
    ["a =", 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "="'],
    ["a = :v AND", 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"'],
    ["a = :v b", 'Invalid ConditionExpression: Syntax error; token: "b", near: ":v b"'],
    ["!!! INVALID !!!", 'Invalid ConditionExpression: Syntax error; token: "!", near: "!!"'],
    ["((a = :v))", "Invalid ConditionExpression: The expression has redundant parentheses;"],
    ["foo(a)", "Invalid ConditionExpression: Invalid function name; function: foo"],
    ["size(a)", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size"],
    ["attribute_exists(a) = :v", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: attribute_exists"],
    ["#b = :v", "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #b"],
    ["a = :w", "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :w"],
    ["size = :v", "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: size"],
    ["begins_with(a, :n)", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"],
    ["contains(a)", "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: contains, number of operands: 1"],
    ["a = a", "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]"],
    [
      "a BETWEEN :m AND :n",
      "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}",
    ],
    ["attribute_type(a, :n)", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"],
    ["attribute_type(a, :v)", "Invalid ConditionExpression: Invalid attribute type name found; type: x, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"],
  ];
  for (const [expr, msg] of cases) it(JSON.stringify(expr), () => expect(bindErr(() => bindCondition(expr, "ConditionExpression", ctx()))).toBe(msg));

  it("limits IN to 100 values, after the operands' own checks", () => {
    const list = (n: number) => Array.from({ length: n }, () => ":v").join(", ");
    expect(bindErr(() => bindCondition(`a IN (${list(100)})`, "FilterExpression", ctx()))).toBe("no error");
    expect(bindErr(() => bindCondition(`a IN (${list(101)})`, "FilterExpression", ctx()))).toBe(
      "Invalid FilterExpression: The IN operator is provided with too many operands; number of operands: 101",
    );
    expect(bindErr(() => bindCondition(`a IN (${list(101)})`, "ConditionExpression", ctx()))).toBe(
      "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101",
    );
    expect(bindErr(() => bindCondition(`a IN (${list(100)}, :w)`, "FilterExpression", ctx()))).toBe(
      "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :w",
    );
  });

  it("limits document paths to 32 levels in every expression kind, names and indexes alike", () => {
    const ok = "a" + ".b".repeat(30) + "[0]";
    const deep = "a" + ".b".repeat(31) + "[0]";
    expect(bindErr(() => bindCondition(`${ok} = :v`, "ConditionExpression", ctx()))).toBe("no error");
    for (const label of ["ConditionExpression", "FilterExpression", "KeyConditionExpression"])
      expect(bindErr(() => bindCondition(`${deep} = :v`, label, ctx()))).toBe(`Invalid ${label}: The document path has too many nesting levels; nesting levels: 33`);
    expect(bindErr(() => bindCondition(`attribute_exists(#a.${deep})`, "ConditionExpression", ctx()))).toBe(
      "Invalid ConditionExpression: The document path has too many nesting levels; nesting levels: 34",
    );
    expect(bindErr(() => bindProjection(`x, ${deep}`, ctx()))).toBe("Invalid ProjectionExpression: The document path has too many nesting levels; nesting levels: 33");
    expect(bindErr(() => bindUpdate(`SET ${deep} = :v`, ctx()))).toBe("Invalid UpdateExpression: The document path has too many nesting levels; nesting levels: 33");
    expect(bindErr(() => bindUpdate(`SET x = if_not_exists(${deep}, :v)`, ctx()))).toBe(
      "Invalid UpdateExpression: The document path has too many nesting levels; nesting levels: 33",
    );
    // A path's undefined #name is reported before its depth.
    expect(bindErr(() => bindProjection(`#zz.${deep}`, ctx()))).toBe(
      "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #zz",
    );
  });

  it("reports unused names and values", () => {
    const c = new ExprContext({ "#a": "a", "#b": "b" }, { ":v": { S: "x" } });
    bindCondition("#a = :v", "ConditionExpression", c);
    expect(c.unusedError()).toBe("Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}");
  });
});

describe("update grammar", () => {
  const ctx = () => new ExprContext({}, { ":s": { S: "x" }, ":n": { N: "2" }, ":ss": { SS: ["b"] }, ":l": { L: [{ N: "9" }] } });
  it("quotes the offending token and its neighbours", () => {
    expect(bindErr(() => bindUpdate("ADD hits : incr", ctx()))).toBe('Invalid UpdateExpression: Syntax error; token: ":", near: "hits : incr"');
    expect(bindErr(() => bindUpdate("INVALID SYNTAX HERE", ctx()))).toBe('Invalid UpdateExpression: Syntax error; token: "INVALID", near: "INVALID SYNTAX"');
    expect(bindErr(() => bindUpdate("SET a = :s, #, b = :s", ctx()))).toBe('Invalid UpdateExpression: Syntax error; token: "#", near: ", #,"');
  });
  it("checks sections, overlaps and operand types", () => {
    expect(bindErr(() => bindUpdate("SET a = :s SET b = :s", ctx()))).toBe('Invalid UpdateExpression: The "SET" section can only be used once in an update expression;');
    expect(bindErr(() => bindUpdate("SET a = :s REMOVE a.b", ctx()))).toBe(
      "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]",
    );
    expect(bindErr(() => bindUpdate("SET a[1] = :s REMOVE a.b", ctx()))).toBe(
      "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [1]], path two: [a, b]",
    );
    expect(bindErr(() => bindUpdate("ADD a :s", ctx()))).toBe("Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING");
    expect(bindErr(() => bindUpdate("SET a = :s + :n", ctx()))).toBe("Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S");
    expect(bindErr(() => bindUpdate("SET a = size(b)", ctx()))).toBe("Invalid UpdateExpression: The function is not allowed in a update expression; function: size");
  });
  it("applies SET, REMOVE, ADD and DELETE against the old item", () => {
    const c = ctx();
    const actions = bindUpdate("SET n = n + :n, l = list_append(l, :l), m.x = :s REMOVE r[0] ADD ss :ss, c :n DELETE t :ss", c);
    const old: Item = { n: { N: "1.5" }, l: { L: [{ N: "1" }, { N: "2" }] }, m: { M: {} }, ss: { SS: ["a"] }, t: { SS: ["b"] }, r: { L: [{ N: "1" }, { N: "2" }] } };
    const { item } = applyUpdate(actions, old, c);
    expect(item).toEqual({ n: { N: "3.5" }, l: { L: [{ N: "1" }, { N: "2" }, { N: "9" }] }, m: { M: { x: { S: "x" } } }, ss: { SS: ["a", "b"] }, c: { N: "2" }, r: { L: [{ N: "2" }] } });
  });
});

describe("projection", () => {
  it("keeps list order and nested maps", () => {
    const c = new ExprContext();
    const paths = bindProjection("a[2], a[0], m.x.y, z", c);
    const item: Item = { a: { L: [{ S: "0" }, { S: "1" }, { S: "2" }] }, m: { M: { x: { M: { y: { N: "1" }, w: { N: "2" } } } } }, q: { S: "no" } };
    expect(project(item, paths)).toEqual({ a: { L: [{ S: "0" }, { S: "2" }] }, m: { M: { x: { M: { y: { N: "1" } } } } } });
  });
});

// ---- properties ----

const NAMES = ["a", "b", "c"];
const valueArb: fc.Arbitrary<AttributeValue> = fc.oneof(
  fc.integer({ min: -5, max: 5 }).map((n) => ({ N: String(n) })),
  fc.constantFrom("", "a", "ab", "b").map((s) => ({ S: s })),
  fc.boolean().map((b) => ({ BOOL: b })),
);
const itemArb: fc.Arbitrary<Item> = fc.dictionary(fc.constantFrom(...NAMES), valueArb, { maxKeys: 3 });
const operandArb = fc.oneof(
  fc.constantFrom(...NAMES).map((n) => ({ text: n, node: { k: "path", elems: [{ kind: "name", name: n, ref: false }] } as Operand })),
  fc.integer({ min: 0, max: 5 }).map((i) => ({ text: `:v${i}`, node: { k: "value", ref: `:v${i}` } as Operand })),
);
const VALUES: Record<string, AttributeValue> = { ":v0": { N: "0" }, ":v1": { N: "-3" }, ":v2": { S: "a" }, ":v3": { S: "" }, ":v4": { BOOL: true }, ":v5": { N: "5" } };

interface Gen {
  text: string;
  node: Condition;
}
const condArb: fc.Arbitrary<Gen> = fc.letrec<{ cond: Gen }>((tie) => ({
  cond: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.tuple(operandArb, fc.constantFrom("=", "<>", "<", "<=", ">", ">="), operandArb).map(([l, op, r]) => ({
      text: `${l.text} ${op} ${r.text}`,
      node: { k: "cmp", op, l: l.node, r: r.node } as Condition,
    })),
    fc.constantFrom(...NAMES).map((n) => ({
      text: `attribute_exists(${n})`,
      node: { k: "fn", call: { k: "call", name: "attribute_exists", args: [{ k: "path", elems: [{ kind: "name", name: n, ref: false }] }] } } as Condition,
    })),
    fc.tuple(tie("cond"), tie("cond")).map(([l, r]) => ({ text: `(${l.text}) AND (${r.text})`, node: { k: "and", l: l.node, r: r.node } as Condition })),
    fc.tuple(tie("cond"), tie("cond")).map(([l, r]) => ({ text: `(${l.text}) OR (${r.text})`, node: { k: "or", l: l.node, r: r.node } as Condition })),
    tie("cond").map((c) => ({ text: `NOT (${c.text})`, node: { k: "not", c: c.node } as Condition })),
  ),
})).cond;

describe("condition properties", () => {
  it("printed trees parse back to trees that evaluate the same", () => {
    fc.assert(
      fc.property(condArb, itemArb, (g, item) => {
        const parsed = parseCondition(g.text);
        if ("syntax" in parsed) throw new Error(parsed.syntax);
        const ctx = new ExprContext({}, VALUES);
        expect(evaluate(parsed.tree, item, ctx)).toBe(evaluate(g.node, item, ctx));
      }),
      { numRuns: 300 },
    );
  });

  it("NOT, AND and OR obey De Morgan and BETWEEN equals a pair of comparisons", () => {
    fc.assert(
      fc.property(condArb, condArb, itemArb, operandArb, operandArb, operandArb, (x, y, item, a, lo, hi) => {
        const ctx = new ExprContext({}, VALUES);
        const notAnd: Condition = { k: "not", c: { k: "and", l: x.node, r: y.node } };
        const orNots: Condition = { k: "or", l: { k: "not", c: x.node }, r: { k: "not", c: y.node } };
        expect(evaluate(notAnd, item, ctx)).toBe(evaluate(orNots, item, ctx));
        const between: Condition = { k: "between", x: a.node, lo: lo.node, hi: hi.node };
        const pair: Condition = { k: "and", l: { k: "cmp", op: ">=", l: a.node, r: lo.node }, r: { k: "cmp", op: "<=", l: a.node, r: hi.node } };
        expect(evaluate(between, item, ctx)).toBe(evaluate(pair, item, ctx));
      }),
      { numRuns: 300 },
    );
  });

  it("caches trees by text", () => {
    expect(parseCondition("a = :v0")).toBe(parseCondition("a = :v0"));
  });
});
