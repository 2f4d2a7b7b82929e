import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { notTranspiled } from '../../src/experiment/loader';

/** Whether ts-node would leave `file` alone: its ignore patterns match the path relative to the working directory. */
function leftAlone(cwd: string, builtDir: string, file: string): boolean {
  const relative = path.relative(cwd, file).split(path.sep).join('/');
  return notTranspiled(cwd, builtDir).some((pattern) => new RegExp(pattern).test(relative));
}

test("in gameday's working copy: its built code loads as it is, the experiments are transpiled", () => {
  const repo = '/work/gameday';
  const built = `${repo}/dist`;
  assert.ok(leftAlone(repo, built, `${repo}/dist/index.js`));
  assert.ok(leftAlone(repo, built, `${repo}/dist/experiment/define.js`));
  assert.ok(leftAlone(repo, built, `${repo}/node_modules/zod/index.js`));
  assert.not.ok(leftAlone(repo, built, `${repo}/experiments/region-failover.ts`));
  assert.not.ok(leftAlone(repo, built, `${repo}/test/fixtures/valid/esm.js`));
  assert.not.ok(leftAlone(repo, built, `${repo}/dist-experiments/mine.js`), 'a sibling with the same prefix');
});

test('in a project that links gameday from elsewhere: the link resolves outside, and is left alone there', () => {
  const project = '/home/sre/drills';
  const built = '/opt/src/gameday/dist';
  assert.ok(leftAlone(project, built, '/opt/src/gameday/dist/index.js'));
  assert.not.ok(leftAlone(project, built, '/home/sre/drills/experiments/mine.js'));
  assert.not.ok(leftAlone(project, built, '/opt/src/gameday/experiments/x.ts'));
});

test('a path with characters regexes give meaning to is matched as written', () => {
  const project = '/home/sre/drills';
  const built = '/opt/gameday (v1.2)+/dist';
  assert.ok(leftAlone(project, built, '/opt/gameday (v1.2)+/dist/index.js'));
  assert.not.ok(leftAlone(project, built, '/opt/gameday (v1x2)+/dist/index.js'));
});

test('working inside the built code itself, only node_modules is left alone', () => {
  const built = '/work/gameday/dist';
  assert.equal(notTranspiled(built, built), ['(?:^|/)node_modules/']);
  assert.equal(notTranspiled(`${built}/cli`, built), ['(?:^|/)node_modules/']);
  assert.not.ok(leftAlone(built, built, `${built}/mine.ts`));
});

test.run();
