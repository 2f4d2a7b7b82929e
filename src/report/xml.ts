/* The XML reports (junit.xml): escaping as XML 1.0 allows it, and the document a run's and a day's share. */

/** XML 1.0 forbids most control characters even when escaped; drop them. */
function clean(value: string): string {
  return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}

export function xmlText(value: string): string {
  return clean(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function xmlAttr(value: string): string {
  return xmlText(value).replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
}

/** One JUnit testcase; `outcome` is its failure, error or skipped element, or '' for a pass. */
export function junitTestcase(classname: string, name: string, seconds: number, outcome: string): string {
  const open = `    <testcase classname="${xmlAttr(classname)}" name="${xmlAttr(name)}" time="${seconds}"`;
  return outcome ? `${open}>\n      ${outcome}\n    </testcase>` : `${open}/>`;
}

/** The junit.xml document: one suite with its counts, properties and testcases. */
export function junitDocument(suite: {
  name: string;
  counts: string;
  timestamp: string;
  properties: Array<[string, string]>;
  cases: string[];
}): string {
  const properties = suite.properties
    .map(([name, value]) => `      <property name="${xmlAttr(name)}" value="${xmlAttr(value)}"/>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="gameday" ${suite.counts}>
  <testsuite name="${xmlAttr(suite.name)}" ${suite.counts} timestamp="${xmlAttr(suite.timestamp)}">
    <properties>
${properties}
    </properties>
${suite.cases.join('\n')}
  </testsuite>
</testsuites>
`;
}
