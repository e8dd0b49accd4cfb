import assert from 'node:assert/strict';
import { test } from 'node:test';
import { truncateText } from '../../src/publish/text.js';

test('short text is left alone; long text is cut by graphemes and ends in an ellipsis', () => {
  assert.equal(truncateText('Pokémon', 7), 'Pokémon');
  const cut = truncateText('a'.repeat(400), 300);
  assert.equal([...cut].length, 300);
  assert.ok(cut.endsWith('…'));
});

test('a cut never splits a grapheme (combining accents, flags)', () => {
  assert.equal(truncateText('Poke\u0301mon', 5), 'Poke\u0301…'); // e + combining acute stay together
  const flags = '🇫🇷🇩🇪🇯🇵🇧🇷';
  assert.equal(truncateText(flags, 3), '🇫🇷🇩🇪…');
});

test('a cut near a word boundary stops at the word', () => {
  assert.equal(truncateText('Baldur’s Gate 3 was the most watched game yesterday', 30), 'Baldur’s Gate 3 was the most…');
});
