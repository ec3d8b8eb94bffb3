/**
 * Brown corpus form C (`word/tag` tokens) → running text. The tag is whatever follows the
 * last `/` (words may contain `/`: `1/2/cd`, `and/or/cc`); quotes `` and '' become `"`, and
 * the spacing of punctuation is restored.
 */
const NO_SPACE_BEFORE = new Set(['.', ',', ':', ';', '?', '!', ')', ']', '}', "''", "'", '%']);
const NO_SPACE_AFTER = new Set(['(', '[', '{', '``', '$']);

/** `The/at jury/nn ./.` → `['The', 'jury', '.']` */
function brownWords(line: string): string[] {
  const words: string[] = [];
  for (const tok of line.split(/\s+/)) {
    if (tok.length === 0) continue;
    const slash = tok.lastIndexOf('/');
    words.push(slash > 0 ? tok.slice(0, slash) : tok);
  }
  return words;
}

/** Words of one paragraph → text with normal spacing. */
export function joinWords(words: readonly string[]): string {
  let out = '';
  let glue = false; // true: the next word attaches without a space
  for (const w of words) {
    const text = w === '``' || w === "''" ? '"' : w;
    if (out.length > 0 && !glue && !NO_SPACE_BEFORE.has(w)) out += ' ';
    out += text;
    glue = NO_SPACE_AFTER.has(w);
  }
  return out;
}

/** A whole Brown file → paragraphs (blank-line separated in the file) joined by `\n`. */
export function brownFileToText(file: string): string {
  const paragraphs: string[] = [];
  for (const block of file.split(/\n\s*\n/)) {
    const words = block.split('\n').flatMap(brownWords);
    if (words.length > 0) paragraphs.push(joinWords(words));
  }
  return paragraphs.join('\n');
}
