// Expression trees, as parsed from text alone. Names (#n) and values (:v) stay as references
// so one tree can be cached by its text and bound to each request's maps.

export type PathElem =
  | { kind: "name"; name: string; ref: boolean } // ref: written as #placeholder
  | { kind: "index"; index: number };

export interface PathNode {
  k: "path";
  elems: PathElem[];
}
export interface ValueNode {
  k: "value";
  ref: string;
}
export interface CallNode {
  k: "call";
  name: string;
  args: Operand[];
}
export interface ArithNode {
  k: "arith";
  op: "+" | "-";
  l: Operand;
  r: Operand;
}
export type Operand = PathNode | ValueNode | CallNode | ArithNode;

export type Comparator = "=" | "<>" | "<" | "<=" | ">" | ">=";

export type Condition =
  | { k: "cmp"; op: Comparator; l: Operand; r: Operand }
  | { k: "between"; x: Operand; lo: Operand; hi: Operand }
  | { k: "in"; x: Operand; list: Operand[] }
  | { k: "and" | "or"; l: Condition; r: Condition }
  | { k: "not"; c: Condition }
  | { k: "fn"; call: CallNode };

export type UpdateAction =
  | { k: "set"; path: PathNode; value: Operand }
  | { k: "remove"; path: PathNode }
  | { k: "add"; path: PathNode; value: Operand }
  | { k: "delete"; path: PathNode; value: Operand };

/** Errors that depend on the text only, kept with the cached tree in AWS's reporting order. */
export interface TextErrors {
  parens?: string;
  unknownFunction?: string;
  misusedFunction?: string;
  reserved?: string;
  operand?: string;
  section?: string;
}

export interface Parsed<T> {
  tree: T;
  errors: TextErrors;
}
