import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../src/cli/command.ts';
import { crf } from '../../src/cli/crf.ts';
import { demo } from '../../src/cli/demo.ts';
import { evaluate } from '../../src/cli/evaluate.ts';
import { info } from '../../src/cli/info.ts';
import { wrapHelp } from '../../src/cli/model_options.ts';
import { profile } from '../../src/cli/profile.ts';
import { segment } from '../../src/cli/segment.ts';

test('every command\'s help fits 100 columns and names its options', () => {
  for (const c of [crf, demo, evaluate, info, profile, segment]) {
    for (const line of c.help.split('\n')) assert.ok(line.length <= 100, `${c.name}: ${line.length} columns: ${line}`);
  }
  for (const flag of ['--scales', '--flip', '--output-stride']) {
    assert.ok(segment.help.includes(flag) && profile.help.includes(flag), flag);
  }
  assert.ok(segment.help.includes('deeplab-v3-resnet101'), 'the model list is complete');
});

test('wrapHelp: words never split, continuation lines start at the column', () => {
  const s = wrapHelp('  --x', 'aaa bbb ccc ddd', 8, 16);
  assert.is(s, '  --x   aaa bbb\n        ccc ddd');
  assert.is(wrapHelp('  --long-flag-name', 'word', 8, 40), '  --long-flag-name word');
});

test('info refuses options and operands it does not take (usage error, before any device is created)', async () => {
  for (const args of [['--bogus'], ['extra']]) {
    let err: unknown = null;
    await info.run(args).catch((e) => (err = e));
    assert.ok(err instanceof UsageError, `${args}: ${err}`);
  }
});

test.run();
