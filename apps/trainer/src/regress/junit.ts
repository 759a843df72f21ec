import type { Check } from './rules.ts';

// XML 1.0 allows tab, LF, CR and U+0020 and above (minus surrogates and U+FFFE/U+FFFF); anything else is dropped.
const NOT_XML = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text for an XML attribute or element: escaped, characters XML cannot carry removed. */
export const xmlText = (s: string): string => s.replace(NOT_XML, '').replace(/[&<>"']/g, (c) => ESCAPES[c]);

const attrs = (a: Record<string, string | number>) => Object.entries(a).map(([k, v]) => ` ${k}="${xmlText(String(v))}"`).join('');

function testcase(c: Check): string {
  const head = `    <testcase${attrs({ classname: `sr-regress.${c.model}`, name: `${c.set} ${c.rule}` })}`;
  if (c.status === 'pass') return `${head}/>`;
  if (c.status === 'skip') return `${head}>\n      <skipped${attrs({ message: c.message })}/>\n    </testcase>`;
  const values = c.golden === undefined ? '' : `golden: ${c.golden}\ncurrent: ${c.current}\n`;
  const body = `model: ${c.model}\nset: ${c.set}\nrule: ${c.rule}\n${values}${c.message}`;
  return `${head}>\n      <failure${attrs({ message: c.message, type: c.rule })}>${xmlText(body)}</failure>\n    </testcase>`;
}

const count = (checks: readonly Check[], status: Check['status']) => checks.filter((c) => c.status === status).length;

/**
 * JUnit XML (the schema Jenkins, GitLab and the GitHub test-report actions read): one testsuite per model, one
 * testcase per model × set × rule named `<set> <rule>` in class `sr-regress.<model>`; failures carry golden and current values.
 */
export function junitXml(checks: readonly Check[], seconds: Record<string, number> = {}): string {
  const models = [...new Set(checks.map((c) => c.model))];
  const suites = models.map((model) => {
    const mine = checks.filter((c) => c.model === model);
    const head = `  <testsuite${attrs({ name: `sr regress ${model}`, tests: mine.length, failures: count(mine, 'fail'), errors: 0, skipped: count(mine, 'skip'), time: (seconds[model] ?? 0).toFixed(3) })}>`;
    return [head, ...mine.map(testcase), '  </testsuite>'].join('\n');
  });
  const total = Object.values(seconds).reduce((a, b) => a + b, 0);
  const root = `<testsuites${attrs({ name: 'sr regress', tests: checks.length, failures: count(checks, 'fail'), errors: 0, skipped: count(checks, 'skip'), time: total.toFixed(3) })}>`;
  return ['<?xml version="1.0" encoding="UTF-8"?>', root, ...suites, '</testsuites>', ''].join('\n');
}
