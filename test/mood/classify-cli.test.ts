import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { createClassifier } from '../../src/mood/classifier/index.js';
import { cleanEnv, LURK_BIN, ROOT } from '../helpers/process.js';

// `lurk mood classify` as a real child process, stdin piped in, stdout read back.

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: string[];
  stderr: string;
}

/** Runs `lurk mood classify …args` with `input` on stdin; the child is killed on every path (a minute at most). */
function classify(t: TestContext, input: Buffer | string, args: string[] = [], env: Record<string, string> = {}): Promise<Outcome> {
  const child = spawn(process.execPath, [LURK_BIN, 'mood', 'classify', ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  t.after(kill);
  const timer = setTimeout(kill, 60_000);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  // a child that refused its flags closes stdin early: that is not the test's failure
  child.stdin.on('error', () => undefined);
  child.stdin.end(input);
  return new Promise((resolve, reject) => {
    child.on('error', (err) => {
      clearTimeout(timer);
      kill();
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, lines: stdout === '' ? [] : stdout.replace(/\n$/, '').split('\n'), stderr });
    });
  });
}

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lurk-classify-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const library = createClassifier();
const expected = (text: string) => {
  const { label, score } = library.classify(text);
  return { label, score: Math.round(score * 1000) / 1000 };
};

test('one JSON result per input line, in order, as the library classifies them', async (t) => {
  const messages = ['gg', 'this is trash lol', 'hello chat', '', 'KEKW that was insane', 'not good at all', 'F', 'what game is this?', 'LETS GOOOO 🔥', 'Sadge'];
  const input: string[] = [];
  for (let i = 0; i < 20_000; i++) input.push(`${messages[i % messages.length]}${i % 7 === 0 ? ' ' : ''}${i % 3 === 0 ? '\r' : ''}`);
  const out = await classify(t, `${input.join('\n')}\n`);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.lines.length, input.length);
  for (const [i, line] of out.lines.entries()) {
    const parsed = JSON.parse(line) as { label: string; score: number };
    assert.deepEqual(Object.keys(parsed), ['label', 'score']);
    assert.deepEqual(parsed, expected(input[i]!.replace(/\r$/, '')), `line ${i + 1}: ${input[i]}`);
  }
  assert.deepEqual(
    out.lines.slice(0, 4).map((l) => (JSON.parse(l) as { label: string }).label),
    ['positive', 'negative', 'neutral', 'neutral'],
  );
  assert.equal(out.lines[3], '{"label":"neutral","score":0}', 'an empty line is a neutral result');
});

test('invalid UTF-8, a huge line and a last line without a newline keep the count aligned', async (t) => {
  const input = Buffer.concat([
    Buffer.from('gg\n'),
    Buffer.from([0xff, 0xfe, 0x80, 0x0a]),
    Buffer.from(`${'wow so good '.repeat(400_000)}\n`),
    Buffer.from('\xf0\x9f\x98', 'latin1'),
    Buffer.from('\nSadge'),
  ]);
  const out = await classify(t, input);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.lines.length, 5);
  const labels = out.lines.map((l) => (JSON.parse(l) as { label: string }).label);
  assert.deepEqual(labels, ['positive', 'neutral', 'positive', 'neutral', 'negative']);
});

test('no input, no output', async (t) => {
  const out = await classify(t, '');
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(out.lines, []);
});

test('--lexicon adds to and overrides Lurk’s own, over LURK_MOOD_LEXICON', async (t) => {
  const file = path.join(dir, 'mine.txt');
  await writeFile(file, 'version 1\nblorptastic 0.9\nKEKW -0.8 emote\n');
  const bad = path.join(dir, 'bad-env.txt');
  await writeFile(bad, 'this line is bad\n');
  const out = await classify(t, 'blorptastic\nKEKW\ngg\n', ['--lexicon', file], { LURK_MOOD_LEXICON: bad });
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(
    out.lines.map((l) => (JSON.parse(l) as { label: string }).label),
    ['positive', 'negative', 'positive'],
  );
  const fromEnv = await classify(t, 'blorptastic\n', [], { LURK_MOOD_LEXICON: file });
  assert.equal(fromEnv.code, 0, fromEnv.stderr);
  assert.equal((JSON.parse(fromEnv.lines[0]!) as { label: string }).label, 'positive');
});

test('a bad lexicon file or flag exits 2 naming it', async (t) => {
  const missing = path.join(dir, 'missing.txt');
  const flag = await classify(t, 'gg\n', ['--lexicon', missing]);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /--lexicon/);
  assert.ok(flag.stderr.includes(missing), flag.stderr);
  assert.deepEqual(flag.lines, []);

  const bad = path.join(dir, 'bad.txt');
  await writeFile(bad, '# mine\ngg 0.5\nwow very\n');
  const env = await classify(t, 'gg\n', [], { LURK_MOOD_LEXICON: bad });
  assert.equal(env.code, 2);
  assert.match(env.stderr, /LURK_MOOD_LEXICON/);
  assert.ok(env.stderr.includes(`${bad}: line 3: value "very" is not a number from -1 to 1`), env.stderr);

  const unknown = await classify(t, 'gg\n', ['--no-such-flag']);
  assert.equal(unknown.code, 2);
  const noValue = await classify(t, 'gg\n', ['--lexicon']);
  assert.equal(noValue.code, 2);
});
