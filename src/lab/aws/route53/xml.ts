import { XMLParser } from 'fast-xml-parser';
import { invalidInput } from './errors';

/**
 * Route 53's REST-XML wire, both ways. Request bodies are read into plain objects of
 * strings (no number or boolean guessing: "0123" stays a string until a field says what
 * it is), checked the way Route 53's XML schema checks them; responses are written from
 * small element trees, so field order and names are visible where each response is built.
 */

export const route53Namespace = 'https://route53.amazonaws.com/doc/2013-04-01/';

// ------------------------------------------------------------------ writing

/** An element's content: text, child elements, or nothing (the element is left out). */
export type XmlContent = string | number | boolean | readonly XmlElement[] | undefined | null;
export type XmlElement = readonly [name: string, content: XmlContent];

/** A whole response body: declaration, then the root element in Route 53's namespace. */
export function xmlDocument(root: string, children: readonly XmlElement[]): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${root} ` +
    `xmlns="${route53Namespace}">${children.map(writeElement).join('')}</${root}>`
  );
}

/** A list the Route 53 way: a wrapper element holding one `itemName` element per item. */
export function xmlList(itemName: string, items: readonly XmlContent[]): XmlElement[] {
  return items.map((item) => [itemName, item] as const);
}

/** Route 53 timestamps: ISO 8601 in UTC with milliseconds, e.g. 2017-03-27T17:48:16.751Z. */
export const xmlTimestamp = (ms: number): string => new Date(ms).toISOString();

function writeElement([name, content]: XmlElement): string {
  if (content === undefined || content === null) return '';
  if (Array.isArray(content))
    return `<${name}>${(content as readonly XmlElement[]).map(writeElement).join('')}</${name}>`;
  return `<${name}>${escapeText(String(content))}</${name}>`;
}

/** Element text needs only these three escaped (quotes matter in attributes, which Route 53 doesn't use). */
function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
}

// ------------------------------------------------------------------ reading

/** A parsed element: text, or named children (a repeated child is an array). */
export type XmlNode = string | XmlObject | XmlNode[];
export interface XmlObject {
  [name: string]: XmlNode;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  ignoreDeclaration: true,
  parseTagValue: false,
  trimValues: true,
});

/** Parses a request body and returns its root element, which must be `root`; InvalidInput otherwise. */
export function readRequestXml(body: Buffer, root: string): XmlObject {
  const text = body.toString('utf8');
  if (text.trim() === '') throw invalidInput(`Invalid XML ; the request has no body; expected a ${root} element`);
  let parsed: unknown;
  try {
    parsed = parser.parse(text, true);
  } catch (error) {
    throw invalidInput(`Invalid XML ; ${(error as Error).message}`);
  }
  const element = (parsed as Record<string, unknown>)[root];
  if (element === undefined) {
    const found = Object.keys(parsed as object).join(', ') || 'an empty body';
    throw invalidInput(`Invalid XML ; expected the root element ${root}, found ${found}`);
  }
  return isObject(element) ? element : {};
}

function isObject(node: unknown): node is XmlObject {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

/** Route 53's XML-schema message for a required element that is missing. */
export function missingElement(parent: string, child: string): string {
  return (
    `Invalid XML ; cvc-complex-type.2.4.b: The content of element '${parent}' is not complete. ` +
    `One of '{"${route53Namespace}":${child}}' is expected.`
  );
}

/** The text of a child that may appear at most once; undefined when absent. */
export function childText(parent: XmlObject, name: string): string | undefined {
  const node = parent[name];
  if (node === undefined) return undefined;
  if (Array.isArray(node)) throw invalidInput(`Invalid XML ; element ${name} appears ${node.length} times`);
  if (isObject(node)) throw invalidInput(`Invalid XML ; element ${name} must hold text`);
  return node;
}

/** A child element with children of its own; undefined when absent. An empty element is {}. */
export function childObject(parent: XmlObject, name: string): XmlObject | undefined {
  const node = parent[name];
  if (node === undefined) return undefined;
  if (Array.isArray(node)) throw invalidInput(`Invalid XML ; element ${name} appears ${node.length} times`);
  return isObject(node) ? node : {};
}

/** The items of a Route 53 list (`<Changes><Change>…</Change>…</Changes>`); [] when absent or empty. */
export function listItems(parent: XmlObject, listName: string, itemName: string): XmlNode[] {
  const list = childObject(parent, listName);
  if (list === undefined) return [];
  const items = list[itemName];
  if (items === undefined) return [];
  return Array.isArray(items) ? items : [items];
}

export function listObjects(parent: XmlObject, listName: string, itemName: string): XmlObject[] {
  return listItems(parent, listName, itemName).map((item) => {
    if (!isObject(item)) throw invalidInput(`Invalid XML ; element ${itemName} in ${listName} must hold elements`);
    return item;
  });
}

export function listTexts(parent: XmlObject, listName: string, itemName: string): string[] {
  return listItems(parent, listName, itemName).map((item) => {
    if (typeof item !== 'string') throw invalidInput(`Invalid XML ; element ${itemName} in ${listName} must hold text`);
    return item;
  });
}

/** An xsd:integer/long field; undefined when absent. */
export function childInteger(parent: XmlObject, name: string): number | undefined {
  const text = childText(parent, name);
  if (text === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw invalidInput(
      `Invalid XML ; cvc-datatype-valid.1.2.1: '${text}' is not a valid value for 'integer' (element ${name}).`,
    );
  }
  return Number(text);
}

/** An xsd:boolean field ('true', 'false', '1', '0'); undefined when absent. */
export function childBoolean(parent: XmlObject, name: string): boolean | undefined {
  const text = childText(parent, name);
  if (text === undefined) return undefined;
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw invalidInput(
    `Invalid XML ; cvc-datatype-valid.1.2.1: '${text}' is not a valid value for 'boolean' (element ${name}).`,
  );
}

/** An enumerated field, checked the way Route 53's XML schema checks it. */
export function childEnum<T extends string>(parent: XmlObject, name: string, values: readonly T[]): T | undefined {
  const text = childText(parent, name);
  if (text === undefined) return undefined;
  if (!(values as readonly string[]).includes(text)) {
    throw invalidInput(
      `Invalid XML ; cvc-enumeration-valid: Value '${text}' is not facet-valid with respect to ` +
        `enumeration '[${values.join(', ')}]'. ` +
        'It must be a value from the enumeration.',
    );
  }
  return text as T;
}

/** The maxitems query parameter: a positive integer, capped at `cap`. */
export function maxItemsParam(query: URLSearchParams, fallback: number, cap: number): number {
  const text = query.get('maxitems');
  if (text === null) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw invalidInput(`MaxItems must be a positive integer, got '${text}'`);
  return Math.min(Number(text), cap);
}
