/** A paragraph of a simple HTML document, as the text layout draws it. */
export interface TextBlock {
  text: string;
  style: 'heading' | 'paragraph' | 'item';
}

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  euro: '€',
  eacute: 'é',
  egrave: 'è',
  ecirc: 'ê',
  agrave: 'à',
  acirc: 'â',
  ccedil: 'ç',
  ocirc: 'ô',
  ucirc: 'û',
  ugrave: 'ù',
  icirc: 'î',
  iuml: 'ï',
  euml: 'ë',
  oelig: 'œ',
  OElig: 'Œ',
  Eacute: 'É',
  Egrave: 'È',
  Agrave: 'À',
  Ccedil: 'Ç',
  laquo: '«',
  raquo: '»',
  rsquo: '’',
  lsquo: '‘',
  ldquo: '“',
  rdquo: '”',
  hellip: '…',
  deg: '°',
  middot: '·',
  ndash: '–',
  mdash: '—',
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return safeCodePoint(Number.parseInt(ref.slice(2), 16)) ?? whole;
    if (ref.startsWith('#')) return safeCodePoint(Number.parseInt(ref.slice(1), 10)) ?? whole;
    return NAMED[ref] ?? whole;
  });
}

function safeCodePoint(n: number): string | undefined {
  return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : undefined;
}

/**
 * Simple HTML (what Ophtix templates produce: headings, paragraphs, line breaks, lists, tables
 * of text) to paragraphs. Scripts, styles and comments are dropped; inline markup keeps its text.
 * Not a browser: layout beyond paragraphs is out of scope and documented as such.
 */
export function htmlToBlocks(html: string): TextBlock[] {
  const cleaned = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style|head|title)\b[\s\S]*?<\/\1\s*>/gi, '');
  const blocks: TextBlock[] = [];
  let current = '';
  let style: TextBlock['style'] = 'paragraph';
  const flush = () => {
    const text = decodeEntities(current)
      .replace(/ *\n */g, '\n')
      .trim();
    if (text) blocks.push({ text, style });
    current = '';
    style = 'paragraph';
  };
  const tagPattern = /<\/?([A-Za-z][A-Za-z0-9]*)\b[^>]*>/g;
  let last = 0;
  for (const match of cleaned.matchAll(tagPattern)) {
    current += collapse(cleaned.slice(last, match.index));
    last = match.index + match[0].length;
    const name = (match[1] ?? '').toLowerCase();
    const closing = match[0].startsWith('</');
    if (name === 'br') current += '\n';
    else if (/^h[1-6]$/.test(name)) {
      flush();
      if (!closing) style = 'heading';
    } else if (name === 'li') {
      flush();
      if (!closing) style = 'item';
    } else if (['td', 'th'].includes(name) && closing) current += '  ';
    else if (
      ['p', 'div', 'tr', 'ul', 'ol', 'table', 'section', 'article', 'body', 'header', 'footer'].includes(name)
    ) {
      flush();
    }
  }
  current += collapse(cleaned.slice(last));
  flush();
  return blocks;
}

/** Source whitespace is not significant in HTML; only <br> makes a line break. */
const collapse = (text: string) => text.replace(/[ \t\r\n]+/g, ' ');

/** Plain text: one block per paragraph (blank-line separated), line breaks kept. */
export function textToBlocks(text: string): TextBlock[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((p) => p.replace(/[ \t]+$/gm, ''))
    .filter((p) => p.trim() !== '')
    .map((p) => ({ text: p, style: 'paragraph' as const }));
}
