// nninit/torch against PyTorch 1.13: the committed fixtures (always), and where /usr/bin/python3 has torch, a
// live run of random seeds, shapes, arguments and modules through both (scripts/torch-parity.ts runs more).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  describeCall, referenceMismatch, randomProgram, runCase, runTorch, seededRandom,
  type Case, type Recorded, type Result,
} from '../scripts/torch-parity.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/torch/pytorch-1.13.json', import.meta.url));

test('fixtures: every recorded PyTorch 1.13 output and generator state is reproduced bit for bit', () => {
  const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
    platform: { torch: string; cpu_capability: string };
    cases: (Case & { results: Result[] })[];
  };
  assert.match(fixture.platform.torch, /^1\.13/);
  assert.equal(fixture.platform.cpu_capability, 'AVX2');
  let outputs = 0;
  for (const testCase of fixture.cases) {
    const results = runCase(testCase);
    results.forEach((result, index) => {
      assert.deepEqual(result, testCase.results[index], describeCall(testCase, index));
      outputs++;
    });
  }
  assert.ok(outputs > 250, `only ${outputs} outputs`);
});

test('live: random seeds, shapes, arguments and modules agree with PyTorch bit for bit', (t) => {
  const mismatch = referenceMismatch();
  if (mismatch !== undefined) {
    t.skip(`${mismatch}; the fixtures still ran`);
    return;
  }
  const seed = Number(process.env.NNINIT_TORCH_SEED ?? Date.now() % 2 ** 31);
  t.diagnostic(`program seed ${seed} (rerun with NNINIT_TORCH_SEED=${seed})`);
  const program = randomProgram(seededRandom(seed), 80, 12000);
  const torch = runTorch(program);
  assert.match(torch.platform.torch, /^1\.13/);
  let elements = 0;
  program.forEach((testCase, caseIndex) => {
    const mine = runCase(testCase);
    testCase.calls.forEach((call, index) => {
      const where = `program seed ${seed}, ${describeCall(testCase, index)}`;
      const ours = mine[index], theirs = torch.results[caseIndex][index];
      if (call.fn === 'module') {
        const ourParameters = (ours as { parameters: [string, Recorded][] }).parameters;
        const theirParameters = (theirs as { parameters: [string, Recorded][] }).parameters;
        assert.deepEqual(ourParameters.map(([name]) => name), theirParameters.map(([name]) => name), where);
        ourParameters.forEach(([name, recorded], p) => {
          assert.equal(recorded.sha256, theirParameters[p][1].sha256, `${where}: ${name}`);
          elements += recorded.length;
        });
      } else {
        assert.equal((ours as Recorded).sha256, (theirs as Recorded).sha256, where);
        if (call.fn !== 'getState') elements += (ours as Recorded).length;
      }
    });
  });
  t.diagnostic(`${program.length} cases, ${elements} values identical`);
});
