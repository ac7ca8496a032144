/**
 * Splits long text into platform-sized messages, at line boundaries when possible, then at spaces,
 * and only as a last resort inside a word. A markup tag opened before a cut is closed at the end of
 * its part and reopened at the start of the next, so every part stands on its own.
 */

/** The smallest unit a cut may not fall inside: a character, a whole tag or a whole entity. */
export interface Piece {
  text: string;
  /** For an opening tag: the text that closes it (e.g. "</b>"). */
  closer?: string;
  /** True for a closing tag. */
  closes?: boolean;
}

interface Boundary {
  at: number;
  open: Piece[];
}

const isBreak = (p: Piece | undefined) => p?.text === '\n';
const isSpace = (p: Piece | undefined) => p?.text === ' ';
const closingOf = (open: readonly Piece[]) =>
  open
    .map((p) => p.closer)
    .reverse()
    .join('');

export function splitPieces(pieces: readonly Piece[], limit: number): string[] {
  const parts: string[] = [];
  let i = 0;
  let reopen: Piece[] = [];
  while (i < pieces.length) {
    const open = [...reopen];
    let length = reopen.reduce((n, p) => n + p.text.length, 0);
    let line: Boundary | undefined;
    let space: Boundary | undefined;
    let any: Boundary | undefined;
    let j = i;
    for (; j < pieces.length; j++) {
      const p = pieces[j]!;
      length += p.text.length;
      if (p.closer !== undefined) open.push(p);
      else if (p.closes) open.pop();
      if (length + closingOf(open).length > limit) break;
      const boundary = { at: j + 1, open: [...open] };
      any = boundary;
      if (isBreak(pieces[j + 1])) line = boundary;
      else if (isSpace(pieces[j + 1])) space = boundary;
    }
    if (j === pieces.length) {
      parts.push(
        reopen.map((p) => p.text).join('') +
          pieces
            .slice(i)
            .map((p) => p.text)
            .join(''),
      );
      break;
    }
    // A single piece longer than the limit still has to go somewhere; never loop forever.
    const cut = line ?? space ?? any ?? { at: i + 1, open };
    parts.push(
      reopen.map((p) => p.text).join('') +
        pieces
          .slice(i, cut.at)
          .map((p) => p.text)
          .join('') +
        closingOf(cut.open),
    );
    reopen = cut.open;
    i = cut.at;
    if (isBreak(pieces[i]) || isSpace(pieces[i])) i++;
  }
  return parts.filter((p) => p.trim() !== '');
}

/** Plain text (or Markdown without multi-line constructs): every code point is its own piece. */
export function splitLines(text: string, limit: number): string[] {
  return splitPieces(
    Array.from(text, (ch) => ({ text: ch })),
    limit,
  );
}
