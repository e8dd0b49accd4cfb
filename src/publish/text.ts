// Networks count post length in graphemes (Bluesky) or close to it, so cutting by UTF-16 units could split an accent or flag.
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** `text` cut to at most `max` graphemes, ending in "…" at a word boundary when one is near. */
export function truncateText(text: string, max: number): string {
  const parts = Array.from(graphemes.segment(text), (s) => s.segment);
  if (parts.length <= max) return text;
  let kept = parts.slice(0, max - 1).join('');
  const space = kept.search(/\s\S*$/);
  if (space > kept.length * 0.8) kept = kept.slice(0, space);
  return kept.trimEnd() + '…';
}
