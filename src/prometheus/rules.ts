import type { RuleRecord } from './client';
import {
  constantValue,
  describePromqlError,
  parsePromql,
  PromqlSyntaxError,
  walkPromql,
  type PromqlNode,
} from './promql';

/**
 * What an alerting rule asks of the error ratio, read from its expression and the
 * recording rules it names: the burn-rate alerts Sloth, Pyrra, slo-libsonnet and the SRE
 * workbook write — `ratio over a window > threshold`, joined with `and` (the windows of a
 * multi-window alert) and `or` (its several pairs). A condition's window is the longest
 * range its left side reads (through recording rules: Sloth's slo:sli_error:ratio_rate1h
 * is rate(…[1h]) in another rule). A threshold below 1 is an error ratio (14.4 × 0.1% =
 * 0.0144); anything else in the expression (a minimum-traffic guard, `up > 0`) is kept as
 * text, not evaluated.
 */

export interface BurnCondition {
  /** The longest range the left side reads. */
  windowMs: number;
  /** The error ratio it must exceed. */
  threshold: number;
  /** `>=` rather than `>`. */
  inclusive: boolean;
  /** The left side, as PromQL, so Prometheus can be asked for its value over the drill. */
  lhs: string;
}

export interface BurnAlternative {
  conditions: BurnCondition[];
  /** Parts of the same `and` that are not error-ratio thresholds: assumed to hold, said so. */
  unevaluated: string[];
}

export interface RuleAnalysis {
  /** The rule's condition holds when every condition of one alternative does; empty when none reads as a burn rate. */
  alternatives: BurnAlternative[];
  /** Every range the expression reads, through the recording rules it names, longest first. */
  windowsMs: number[];
  /** Why nothing in it reads as a burn condition (or why it could not be read at all). */
  note: string | null;
}

export function analyseAlertingRule(rule: RuleRecord, rules: readonly RuleRecord[]): RuleAnalysis {
  let tree: PromqlNode;
  try {
    tree = parsePromql(rule.query);
  } catch (error) {
    if (!(error instanceof PromqlSyntaxError)) throw error;
    return {
      alternatives: [],
      windowsMs: [],
      note: `gameday could not read its expression (${describePromqlError(error, rule.query)})`,
    };
  }
  const windowsOf = windowReader(rules);
  const alternatives: BurnAlternative[] = [];
  for (const alternative of split(tree, 'or')) {
    const conditions: BurnCondition[] = [];
    const unevaluated: string[] = [];
    for (const part of split(alternative, 'and')) {
      const comparison = comparisonIn(part);
      const windows = comparison ? windowsOf(comparison.lhs) : [];
      if (comparison && comparison.threshold < 1 && comparison.threshold > 0 && windows.length > 0)
        conditions.push({
          windowMs: Math.max(...windows),
          threshold: comparison.threshold,
          inclusive: comparison.inclusive,
          lhs: rule.query.slice(comparison.lhs.span[0], comparison.lhs.span[1]),
        });
      else unevaluated.push(rule.query.slice(part.span[0], part.span[1]).trim());
    }
    if (conditions.length > 0) alternatives.push({ conditions, unevaluated });
  }
  const windowsMs = [...new Set(windowsOf(tree))].sort((a, b) => b - a);
  return {
    alternatives,
    windowsMs,
    note:
      alternatives.length > 0
        ? null
        : 'its expression is not an error ratio over a window compared with a threshold below 1, so gameday has no ' +
          'evaluation of its own to set beside it',
  };
}

/** The operands of a chain of `op` (or of `unless`'s left side, for `and`), looking through parentheses. */
function split(node: PromqlNode, op: 'or' | 'and'): PromqlNode[] {
  if (node.type === 'paren') {
    const inner = split(node.expr, op);
    return inner.length > 1 ? inner : [node];
  }
  if (node.type === 'binary' && node.op === op) return [...split(node.lhs, op), ...split(node.rhs, op)];
  if (op === 'and' && node.type === 'binary' && node.op === 'unless') return split(node.lhs, op);
  return [node];
}

/**
 * The comparison of a series with a constant in a condition, looking through parentheses and aggregations (Sloth
 * writes max(ratio > threshold) without (sloth_window)); a constant on the left is turned around.
 */
function comparisonIn(node: PromqlNode): { lhs: PromqlNode; threshold: number; inclusive: boolean } | null {
  if (node.type === 'paren') return comparisonIn(node.expr);
  if (node.type === 'aggregate' && node.param === null) return comparisonIn(node.expr);
  if (node.type !== 'binary' || node.bool) return null;
  const left = constantValue(node.lhs);
  const right = constantValue(node.rhs);
  if (right !== null && left === null && (node.op === '>' || node.op === '>='))
    return { lhs: node.lhs, threshold: right, inclusive: node.op === '>=' };
  if (left !== null && right === null && (node.op === '<' || node.op === '<='))
    return { lhs: node.rhs, threshold: left, inclusive: node.op === '<=' };
  return null;
}

/** The ranges an expression reads: its own, and those of the recording rules it names (whose labels do not exclude). */
function windowReader(rules: readonly RuleRecord[]): (node: PromqlNode) => number[] {
  const recordings = new Map<string, RuleRecord[]>();
  for (const rule of rules)
    if (rule.type === 'recording') recordings.set(rule.name, [...(recordings.get(rule.name) ?? []), rule]);
  const parsed = new Map<RuleRecord, PromqlNode | null>();
  const treeOf = (rule: RuleRecord) => {
    if (!parsed.has(rule)) {
      try {
        parsed.set(rule, parsePromql(rule.query));
      } catch {
        parsed.set(rule, null);
      }
    }
    return parsed.get(rule)!;
  };
  const read = (node: PromqlNode, depth: number): number[] => {
    const windows: number[] = [];
    for (const child of walkPromql(node)) {
      if (child.type === 'matrix' || child.type === 'subquery') windows.push(child.rangeMs);
      if (child.type !== 'vector' || child.name === null || depth > 8) continue;
      for (const recording of recordings.get(child.name) ?? []) {
        const excluded = child.matchers.some(
          (matcher) =>
            matcher.op === '=' &&
            matcher.label in recording.labels &&
            recording.labels[matcher.label] !== matcher.value,
        );
        const tree = excluded ? null : treeOf(recording);
        if (tree) windows.push(...read(tree, depth + 1));
      }
    }
    return windows;
  };
  return (node) => read(node, 0);
}
