/**
 * A PromQL parser: the expression grammar Prometheus 2.x accepts (selectors, ranges,
 * subqueries, offset and @, functions, aggregations with by/without before or after the
 * body, binary operators with their precedence, bool, on/ignoring, group_left/right,
 * comments). It reads an expression into a tree with each node's span in the source, so
 * a part of it (the left side of a comparison) can be queried on its own. It is lenient
 * where Prometheus is strict about meaning (unknown functions, argument types): those
 * are Prometheus's to say when it runs the query; this parser refuses only what cannot
 * be PromQL at all, so validation never rejects a query Prometheus would take.
 */

export type Span = [start: number, end: number];

export interface LabelMatcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export type BinaryOp =
  '+' | '-' | '*' | '/' | '%' | '^' | 'atan2' | '==' | '!=' | '>' | '<' | '>=' | '<=' | 'and' | 'or' | 'unless';

export type PromqlNode =
  | { type: 'number'; value: number; span: Span }
  | { type: 'string'; value: string; span: Span }
  | { type: 'vector'; name: string | null; matchers: LabelMatcher[]; offsetMs: number; span: Span }
  | { type: 'matrix'; vector: PromqlNode; rangeMs: number; offsetMs: number; span: Span }
  | { type: 'subquery'; expr: PromqlNode; rangeMs: number; stepMs: number | null; offsetMs: number; span: Span }
  | { type: 'call'; func: string; args: PromqlNode[]; span: Span }
  | {
      type: 'aggregate';
      op: string;
      param: PromqlNode | null;
      expr: PromqlNode;
      grouping: { without: boolean; labels: string[] } | null;
      span: Span;
    }
  | { type: 'binary'; op: BinaryOp; lhs: PromqlNode; rhs: PromqlNode; bool: boolean; span: Span }
  | { type: 'unary'; op: '-' | '+'; expr: PromqlNode; span: Span }
  | { type: 'paren'; expr: PromqlNode; span: Span };

export class PromqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'PromqlSyntaxError';
  }
}

const aggregations = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);
const parameterised = new Set(['count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);
const setOperators = new Set(['and', 'or', 'unless']);
const comparisons = new Set(['==', '!=', '>', '<', '>=', '<=']);

/** Binding power of each binary operator: higher binds tighter. `^` is the only right-associative one. */
const precedence: Record<BinaryOp, number> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '>': 3,
  '<': 3,
  '>=': 3,
  '<=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  atan2: 5,
  '^': 7,
};
/** A unary sign binds looser than `^` (-2^2 is -4) and tighter than `*`. */
const unaryPrecedence = 6;

type TokenKind = 'ident' | 'number' | 'duration' | 'string' | 'op' | 'eof';
interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
  /** number: its value; string: its unescaped value; duration: milliseconds. */
  value?: number | string;
}

const durationUnits: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};
const durationPattern = /^(?:\d+(?:ms|[smhdwy]))+/;
const numberPattern = /^(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/;
const identPattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const operators = ['=~', '!~', '==', '!=', '>=', '<=', '+', '-', '*', '/', '%', '^', '>', '<', '=', ',', '(', ')'];
const brackets = ['{', '}', '[', ']', ':', '@'];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  // Inside [ ], ':' separates a subquery's range from its step; elsewhere it may start a metric name.
  let inBrackets = false;
  while (i < source.length) {
    const rest = source.slice(i);
    if (inBrackets && rest[0] === ':') {
      tokens.push({ kind: 'op', text: ':', start: i, end: i + 1 });
      i++;
      continue;
    }
    const space = /^(?:\s+|#[^\n]*)/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const duration = durationPattern.exec(rest);
    // A duration is digits and units with no identifier character after it (1h30m, 5m; not 5min).
    if (duration && !/^[a-zA-Z0-9_]/.test(rest.slice(duration[0].length))) {
      tokens.push({
        kind: 'duration',
        text: duration[0],
        start: i,
        end: i + duration[0].length,
        value: durationMs(duration[0]),
      });
      i += duration[0].length;
      continue;
    }
    const number = numberPattern.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', text: number[0], start: i, end: i + number[0].length, value: Number(number[0]) });
      i += number[0].length;
      continue;
    }
    const ident = identPattern.exec(rest);
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0], start: i, end: i + ident[0].length });
      i += ident[0].length;
      continue;
    }
    const quote = rest[0];
    if (quote === '"' || quote === "'" || quote === '`') {
      const { value, length } = readString(source, i);
      tokens.push({ kind: 'string', text: source.slice(i, i + length), start: i, end: i + length, value });
      i += length;
      continue;
    }
    const op = [...operators, ...brackets].find((candidate) => rest.startsWith(candidate));
    if (!op) throw new PromqlSyntaxError(`unexpected character ${JSON.stringify(rest[0])}`, i);
    if (op === '[') inBrackets = true;
    if (op === ']') inBrackets = false;
    tokens.push({ kind: 'op', text: op, start: i, end: i + op.length });
    i += op.length;
  }
  tokens.push({ kind: 'eof', text: '', start: source.length, end: source.length });
  return tokens;
}

function durationMs(text: string): number {
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)(ms|[smhdwy])/g)) total += Number(amount) * durationUnits[unit];
  return total;
}

const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v' };

/** A quoted string from `start`: Go's escapes in "…" and '…', none in `…` (raw). */
function readString(source: string, start: number): { value: string; length: number } {
  const quote = source[start];
  let value = '';
  let i = start + 1;
  while (i < source.length) {
    const char = source[i];
    if (char === quote) return { value, length: i + 1 - start };
    if (char === '\n' && quote !== '`') break;
    if (char === '\\' && quote !== '`') {
      const next = source[i + 1];
      if (next === undefined) break;
      if (next in escapes) value += escapes[next];
      else if (next === 'x' || next === 'u' || next === 'U') {
        const length = next === 'x' ? 2 : next === 'u' ? 4 : 8;
        const hex = source.slice(i + 2, i + 2 + length);
        if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(hex))
          throw new PromqlSyntaxError(`invalid escape \\${next}${hex} in a string`, i);
        value += String.fromCodePoint(parseInt(hex, 16));
        i += length;
      } else if (/[0-7]/.test(next)) {
        const octal = source.slice(i + 1, i + 4);
        if (!/^[0-7]{3}$/.test(octal)) throw new PromqlSyntaxError(`invalid octal escape in a string`, i);
        value += String.fromCharCode(parseInt(octal, 8));
        i += 2;
      } else value += next;
      i += 2;
      continue;
    }
    value += char;
    i++;
  }
  throw new PromqlSyntaxError('unterminated string', start);
}

class Parser {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): PromqlNode {
    if (this.peek().kind === 'eof') throw new PromqlSyntaxError('empty expression', 0);
    const node = this.expression(0);
    const next = this.peek();
    if (next.kind !== 'eof') throw this.unexpected(next);
    return node;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.index++;
    return token;
  }

  private is(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return (token.kind === 'op' || token.kind === 'ident') && token.text === text;
  }

  private expect(text: string): Token {
    const token = this.next();
    if ((token.kind !== 'op' && token.kind !== 'ident') || token.text !== text) throw this.unexpected(token, text);
    return token;
  }

  private unexpected(token: Token, wanted?: string): PromqlSyntaxError {
    const found = token.kind === 'eof' ? 'end of the expression' : JSON.stringify(token.text);
    return new PromqlSyntaxError(
      `unexpected ${found}${wanted ? `, expected ${JSON.stringify(wanted)}` : ''}`,
      token.start,
    );
  }

  /** The binary operator at the cursor, if any (`and`, `or`, `unless`, `atan2` are words). */
  private binaryOperator(): BinaryOp | null {
    const token = this.peek();
    if (token.kind === 'op' && token.text in precedence) return token.text as BinaryOp;
    if (token.kind === 'ident' && (setOperators.has(token.text.toLowerCase()) || token.text.toLowerCase() === 'atan2'))
      return token.text.toLowerCase() as BinaryOp;
    return null;
  }

  /** Precedence climbing over binary operators; operands are unary expressions. */
  private expression(minPrecedence: number): PromqlNode {
    let lhs = this.unary();
    for (;;) {
      const op = this.binaryOperator();
      if (op === null) break;
      const power = precedence[op];
      if (power < minPrecedence) break;
      this.next();
      const bool = this.is('bool') ? (this.next(), true) : false;
      if (bool && !comparisons.has(op))
        throw new PromqlSyntaxError('bool modifier can only be used on comparison operators', this.peek().start);
      this.vectorMatching(op);
      // `^` is right-associative: its right side may hold another `^`.
      const rhs = this.expression(op === '^' ? power : power + 1);
      lhs = { type: 'binary', op, lhs, rhs, bool, span: [lhs.span[0], rhs.span[1]] };
    }
    return lhs;
  }

  /** on(…)/ignoring(…) then group_left(…)/group_right(…): kept out of the tree, which nothing here needs. */
  private vectorMatching(op: BinaryOp): void {
    if (this.is('on') || this.is('ignoring')) {
      this.next();
      this.labelList();
    }
    if (this.is('group_left') || this.is('group_right')) {
      if (setOperators.has(op))
        throw new PromqlSyntaxError(`no grouping allowed for "${op}" operation`, this.peek().start);
      this.next();
      if (this.is('(')) this.labelList();
    }
  }

  private unary(): PromqlNode {
    if (this.is('-') || this.is('+')) {
      const sign = this.next();
      const expr = this.expression(unaryPrecedence);
      // A signed number is a number: -1 folds here, as Prometheus does.
      if (expr.type === 'number')
        return {
          type: 'number',
          value: sign.text === '-' ? -expr.value : expr.value,
          span: [sign.start, expr.span[1]],
        };
      return { type: 'unary', op: sign.text as '-' | '+', expr, span: [sign.start, expr.span[1]] };
    }
    return this.postfix(this.primary());
  }

  /** `[range]`, `[range:step]`, `offset d`, `@ t` after an operand. */
  private postfix(node: PromqlNode): PromqlNode {
    let current = node;
    for (;;) {
      if (this.is('[')) {
        this.next();
        const range = this.durationToken();
        if (this.is(':')) {
          this.next();
          const step = this.peek().kind === 'duration' ? this.durationToken() : null;
          const close = this.expect(']');
          current = {
            type: 'subquery',
            expr: current,
            rangeMs: range,
            stepMs: step,
            offsetMs: 0,
            span: [current.span[0], close.end],
          };
          continue;
        }
        const close = this.expect(']');
        if (current.type !== 'vector')
          throw new PromqlSyntaxError(
            'ranges only allowed for vector selectors (use a subquery [range:step] for an expression)',
            close.start,
          );
        current = { type: 'matrix', vector: current, rangeMs: range, offsetMs: 0, span: [current.span[0], close.end] };
        continue;
      }
      if (this.is('offset')) {
        this.next();
        const negative = this.is('-') ? (this.next(), true) : false;
        const token = this.peek();
        const offset = this.durationToken() * (negative ? -1 : 1);
        if (current.type !== 'vector' && current.type !== 'matrix' && current.type !== 'subquery')
          throw new PromqlSyntaxError('offset modifier must be preceded by a selector or a subquery', token.start);
        current = { ...current, offsetMs: offset, span: [current.span[0], token.end] };
        continue;
      }
      if (this.is('@')) {
        const at = this.next();
        if (current.type !== 'vector' && current.type !== 'matrix' && current.type !== 'subquery')
          throw new PromqlSyntaxError('@ modifier must be preceded by a selector or a subquery', at.start);
        let end: number;
        if (this.is('start') || this.is('end')) {
          this.next();
          this.expect('(');
          end = this.expect(')').end;
        } else {
          if (this.is('-') || this.is('+')) this.next();
          const token = this.next();
          if (token.kind !== 'number') throw this.unexpected(token, 'a timestamp, start() or end()');
          end = token.end;
        }
        current = { ...current, span: [current.span[0], end] };
        continue;
      }
      return current;
    }
  }

  private durationToken(): number {
    const token = this.next();
    if (token.kind !== 'duration') throw this.unexpected(token, 'a duration like 5m');
    return token.value as number;
  }

  private primary(): PromqlNode {
    const token = this.peek();
    if (token.kind === 'number') {
      this.next();
      return { type: 'number', value: token.value as number, span: [token.start, token.end] };
    }
    if (token.kind === 'string') {
      this.next();
      return { type: 'string', value: token.value as string, span: [token.start, token.end] };
    }
    if (token.kind === 'duration') throw this.unexpected(token);
    if (this.is('(')) {
      const open = this.next();
      const expr = this.expression(0);
      const close = this.expect(')');
      return { type: 'paren', expr, span: [open.start, close.end] };
    }
    if (this.is('{')) return this.selector(null, token.start);
    if (token.kind === 'ident') {
      const lower = token.text.toLowerCase();
      if (lower === 'inf' || lower === 'nan') {
        this.next();
        return { type: 'number', value: lower === 'inf' ? Infinity : NaN, span: [token.start, token.end] };
      }
      if (aggregations.has(lower) && (this.is('(', 1) || this.is('by', 1) || this.is('without', 1)))
        return this.aggregate();
      if (this.is('(', 1)) return this.call();
      if (setOperators.has(lower) || lower === 'atan2' || lower === 'bool') throw this.unexpected(token);
      this.next();
      return this.selector(token.text, token.start, token.end);
    }
    throw this.unexpected(token);
  }

  private selector(name: string | null, start: number, end = start): PromqlNode {
    const matchers: LabelMatcher[] = [];
    let last = end;
    if (this.is('{')) {
      this.next();
      while (!this.is('}')) {
        const label = this.next();
        if (label.kind !== 'ident' && label.kind !== 'string') throw this.unexpected(label, 'a label name');
        const op = this.next();
        if (op.kind !== 'op' || !['=', '!=', '=~', '!~'].includes(op.text))
          throw this.unexpected(op, '=, !=, =~ or !~');
        const value = this.next();
        if (value.kind !== 'string') throw this.unexpected(value, 'a quoted label value');
        if (op.text === '=~' || op.text === '!~') checkRegex(value.value as string, value.start);
        matchers.push({
          label: label.kind === 'string' ? (label.value as string) : label.text,
          op: op.text as LabelMatcher['op'],
          value: value.value as string,
        });
        if (this.is(',')) this.next();
        else if (!this.is('}')) throw this.unexpected(this.peek(), '"," or "}"');
      }
      last = this.expect('}').end;
    }
    const nameMatcher = matchers.find((matcher) => matcher.label === '__name__' && matcher.op === '=');
    const selectorName = name ?? nameMatcher?.value ?? null;
    if (name === null && !matchers.some((matcher) => !matchesEmpty(matcher)))
      throw new PromqlSyntaxError('vector selector must contain at least one non-empty matcher', start);
    return { type: 'vector', name: selectorName, matchers, offsetMs: 0, span: [start, last] };
  }

  private call(): PromqlNode {
    const func = this.next();
    this.expect('(');
    const args: PromqlNode[] = [];
    while (!this.is(')')) {
      args.push(this.expression(0));
      if (this.is(',')) this.next();
      else if (!this.is(')')) throw this.unexpected(this.peek(), '"," or ")"');
    }
    const close = this.expect(')');
    return { type: 'call', func: func.text, args, span: [func.start, close.end] };
  }

  private aggregate(): PromqlNode {
    const op = this.next();
    let grouping = this.grouping();
    this.expect('(');
    let param: PromqlNode | null = null;
    let expr = this.expression(0);
    if (this.is(',')) {
      this.next();
      param = expr;
      expr = this.expression(0);
    }
    let end = this.expect(')').end;
    if (grouping === null && (this.is('by') || this.is('without'))) {
      const after = this.peek();
      grouping = this.grouping();
      end = this.tokens[this.index - 1]?.end ?? after.end;
    }
    const lower = op.text.toLowerCase();
    if (parameterised.has(lower) && param === null)
      throw new PromqlSyntaxError(`${lower} needs a parameter and an expression`, op.start);
    if (!parameterised.has(lower) && param !== null)
      throw new PromqlSyntaxError(`${lower} takes one expression, not a parameter`, op.start);
    return { type: 'aggregate', op: lower, param, expr, grouping, span: [op.start, end] };
  }

  private grouping(): { without: boolean; labels: string[] } | null {
    if (!this.is('by') && !this.is('without')) return null;
    const without = this.next().text === 'without';
    return { without, labels: this.labelList() };
  }

  private labelList(): string[] {
    this.expect('(');
    const labels: string[] = [];
    while (!this.is(')')) {
      const label = this.next();
      if (label.kind !== 'ident') throw this.unexpected(label, 'a label name');
      labels.push(label.text);
      if (this.is(',')) this.next();
      else if (!this.is(')')) throw this.unexpected(this.peek(), '"," or ")"');
    }
    this.expect(')');
    return labels;
  }
}

function matchesEmpty(matcher: LabelMatcher): boolean {
  switch (matcher.op) {
    case '=':
      return matcher.value === '';
    case '!=':
      return matcher.value !== '';
    case '=~':
      return safeRegex(matcher.value)?.test('') ?? false;
    case '!~':
      return !(safeRegex(matcher.value)?.test('') ?? true);
  }
}

function safeRegex(source: string): RegExp | null {
  try {
    return new RegExp(`^(?:${source})$`);
  } catch {
    return null;
  }
}

/**
 * RE2 syntax is close enough to JavaScript's for a check of what cannot be a regex at all; RE2-only constructs (flags
 * such as (?i) and (?s:…), named groups in the (?P<…>) form) are let through for Prometheus to judge.
 */
function checkRegex(source: string, position: number): void {
  const javascript = source
    .replace(/\(\?P</g, '(?<')
    .replace(/\(\?[imsU-]+\)/g, '')
    .replace(/\(\?[imsU-]+:/g, '(?:');
  if (safeRegex(javascript) === null)
    throw new PromqlSyntaxError(`invalid regular expression ${JSON.stringify(source)}`, position);
}

/** Parses a PromQL expression; throws PromqlSyntaxError (message and position) for what cannot be PromQL. */
export function parsePromql(source: string): PromqlNode {
  return new Parser(tokenize(source)).parse();
}

/** A message for a validation error: the problem and where, with the text around it. */
export function describePromqlError(error: PromqlSyntaxError, source: string): string {
  const near = source.slice(Math.max(0, error.position - 15), error.position + 15).replace(/\s+/g, ' ');
  return `not valid PromQL: ${error.message} (at character ${error.position + 1}, near ${JSON.stringify(near)})`;
}

/** The value of an expression made only of numbers and arithmetic (14.4 * (1 - 0.999)); null for anything else. */
export function constantValue(node: PromqlNode): number | null {
  switch (node.type) {
    case 'number':
      return node.value;
    case 'paren':
      return constantValue(node.expr);
    case 'unary': {
      const value = constantValue(node.expr);
      return value === null ? null : node.op === '-' ? -value : value;
    }
    case 'call':
      // scalar(1), vector(1) of a constant: still a constant threshold.
      return (node.func === 'scalar' || node.func === 'vector') && node.args.length === 1
        ? constantValue(node.args[0])
        : null;
    case 'binary': {
      const lhs = constantValue(node.lhs);
      const rhs = constantValue(node.rhs);
      if (lhs === null || rhs === null) return null;
      switch (node.op) {
        case '+':
          return lhs + rhs;
        case '-':
          return lhs - rhs;
        case '*':
          return lhs * rhs;
        case '/':
          return lhs / rhs;
        case '%':
          return lhs % rhs;
        case '^':
          return lhs ** rhs;
        case 'atan2':
          return Math.atan2(lhs, rhs);
        default:
          return null;
      }
    }
    default:
      return null;
  }
}

/** Every node of a tree, depth first. */
export function* walkPromql(node: PromqlNode): Generator<PromqlNode> {
  yield node;
  switch (node.type) {
    case 'matrix':
      yield* walkPromql(node.vector);
      break;
    case 'subquery':
    case 'paren':
    case 'unary':
      yield* walkPromql(node.expr);
      break;
    case 'call':
      for (const arg of node.args) yield* walkPromql(arg);
      break;
    case 'aggregate':
      if (node.param) yield* walkPromql(node.param);
      yield* walkPromql(node.expr);
      break;
    case 'binary':
      yield* walkPromql(node.lhs);
      yield* walkPromql(node.rhs);
      break;
  }
}
