/**
 * Human-readable patch segmentation: each patch's bytes as text, specials as <s> and </s>,
 * control bytes escaped, bytes that do not form a whole character inside their patch as
 * ⟨hex⟩. On a colour terminal patches alternate background colours; otherwise they are
 * separated by '|'.
 */
import { BOS_ID, EOS_ID, OFFSET } from '../bytes/byte-vocab.js';
import { walkUtf8 } from '../bytes/utf8.js';

const ESCAPES: Record<number, string> = { 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t' };

/** tokens of one patch → printable text */
export function renderPatch(tokens: ArrayLike<number>): string {
  let out = '';
  const bytes: number[] = [];
  const flush = (): void => {
    walkUtf8(bytes, (i, len) => {
      const b = bytes[i] as number;
      if (len === 0) out += `⟨${b.toString(16).padStart(2, '0')}⟩`;
      else if (len === 1 && (b < 0x20 || b === 0x7f)) out += ESCAPES[b] ?? `⟨${b.toString(16).padStart(2, '0')}⟩`;
      else out += Buffer.from(bytes.slice(i, i + len)).toString('utf8');
    });
    bytes.length = 0;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as number;
    if (t >= OFFSET) {
      bytes.push(t - OFFSET);
      continue;
    }
    flush();
    out += t === BOS_ID ? '<s>' : t === EOS_ID ? '</s>' : `<${t}>`;
  }
  flush();
  return out;
}

const BACKGROUNDS = ['\x1b[44m', '\x1b[42m', '\x1b[45m', '\x1b[46m'];
const RESET = '\x1b[0m';

/** tokens [L] + lengths [P] → one line showing the patches. */
export function renderSegmentation(tokens: ArrayLike<number>, lengths: ArrayLike<number>, colour: boolean): string {
  const parts: string[] = [];
  let pos = 0;
  for (let p = 0; p < lengths.length; p++) {
    const len = lengths[p] as number;
    const slice = Array.prototype.slice.call(tokens, pos, Math.min(pos + len, tokens.length)) as number[];
    pos += len;
    const text = slice.length < len ? `${renderPatch(slice)}…` : renderPatch(slice); // … = the next token
    parts.push(colour ? `${BACKGROUNDS[p % BACKGROUNDS.length]}${text}${RESET}` : text);
  }
  return parts.join(colour ? '' : '|');
}
