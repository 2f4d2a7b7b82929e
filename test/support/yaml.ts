// prettier's YAML parser (a dev dependency already) read into plain values: enough YAML for
// the configurations gameday writes — block and flow maps and lists, plain and quoted scalars.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parsers } = require('prettier/plugins/yaml') as {
  parsers: { yaml: { parse: (text: string, options: object) => YamlNode } };
};

interface YamlNode {
  type: string;
  value?: string;
  children: Array<YamlNode | null>;
}

/** Every document of the text, as values; throws on text that is not YAML. */
export function parseYaml(text: string): unknown[] {
  const root = parsers.yaml.parse(text, {});
  return root.children.map((document) => {
    const body = document!.children.find((child) => child?.type === 'documentBody');
    return body?.children[0] ? value(body.children[0]) : null;
  });
}

function value(node: YamlNode | null): unknown {
  if (node === null) return null;
  switch (node.type) {
    case 'mapping':
    case 'flowMapping':
      return Object.fromEntries(
        node.children.map((item) => [
          String(value(item!.children[0]!.children[0])),
          value(item!.children[1]?.children[0] ?? null),
        ]),
      );
    case 'sequence':
    case 'flowSequence':
      return node.children.map((item) => value(item!.children[0]));
    case 'quoteDouble':
    case 'quoteSingle':
      return node.value;
    case 'plain':
      if (/^-?\d+$/.test(node.value!)) return Number(node.value);
      if (node.value === 'true' || node.value === 'false') return node.value === 'true';
      if (node.value === 'null' || node.value === '~') return null;
      return node.value;
    default:
      throw new Error(`YAML node ${node.type} is not read here`);
  }
}
