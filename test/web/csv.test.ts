import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toCsv } from '../../src/web/csv.js';

/** one text cell exported alone: its CSV line without the header */
const cell = (name: unknown) => toCsv([{ name }], ['name']).split('\r\n').slice(1, -1).join('\r\n');

// The rule spreadsheet applications apply (OWASP "CSV Injection"): a cell whose first character
// after leading whitespace, read with full-width forms folded, is = + - @, or which starts with a
// tab or CR, is a formula. Each row: what a streamer or game could be called, and what Lurk writes.
const cases: [string, string, string][] = [
  ['equals', '=1+2', "'=1+2"],
  ['plus', '+1+2', "'+1+2"],
  ['minus', '-1+2', "'-1+2"],
  ['minus and a digit (was exempt)', "-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"],
  ['a negative number as text', '-5', "'-5"],
  ['at', '@SUM(A1)', "'@SUM(A1)"],
  ['leading tab', '\t=1', `'\t=1`],
  ['leading CR', '\r=1', `"'\r=1"`],
  ['leading newline', '\n=1', `"'\n=1"`],
  ['leading CRLF', '\r\n=1', `"'\r\n=1"`],
  ['leading spaces', '   =1', "'   =1"],
  ['leading no-break space', '\u00a0=1', "'\u00a0=1"],
  ['ideographic space', '\u3000=1', "'\u3000=1"],
  ['full-width equals', '＝1+2', "'＝1+2"],
  ['full-width plus', '＋1', "'＋1"],
  ['full-width minus', '－1', "'－1"],
  ['full-width at', '＠SUM(A1)', "'＠SUM(A1)"],
  ['small equals', '﹦1', "'﹦1"],
  ['space then full-width equals', ' ＝1', "' ＝1"],
  ['many leading spaces', `${' '.repeat(100)}=1`, `'${' '.repeat(100)}=1`],
  ['formula with a quote is neutralised, then quoted', '=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
  ['plain name', "Baldur's Gate 3", "Baldur's Gate 3"],
  ['a dash inside', 'Half-Life', 'Half-Life'],
  ['a comma is quoted', 'Hello, World', '"Hello, World"'],
  ['an inner newline is quoted', 'a\nb', '"a\nb"'],
  ['full-width letters stay as they are', 'Ｐｏｋéｍｏｎ', 'Ｐｏｋéｍｏｎ'],
  ['empty', '', ''],
];

for (const [label, input, expected] of cases) {
  test(`CSV text cell: ${label}`, () => {
    assert.equal(cell(input), expected);
  });
}

test('numbers Lurk writes itself stay numbers, negative ones too', () => {
  assert.equal(toCsv([{ a: -1.5, b: 0, c: 42, d: '7' }], ['a', 'b', 'c', 'd']), 'a,b,c,d\r\n-1.5,0,42,7\r\n');
});

test('missing values are empty cells', () => {
  assert.equal(toCsv([{ a: null }], ['a', 'b']), 'a,b\r\n,\r\n');
});
