import { describe, expect, it } from 'vitest';
import { htmlToBlocks, textToBlocks } from './html-blocks.ts';

describe('simple HTML to paragraphs', () => {
  it('keeps headings, paragraphs and list items, decodes entities and drops scripts', () => {
    const blocks = htmlToBlocks(
      '<html><head><title>x</title><style>p{}</style></head><body><h1>Ordonnance</h1>' +
        '<p>Cher confr&egrave;re,<br>le patient&nbsp;va bien &#8364; &amp; <b>c&oelig;ur</b></p>' +
        '<script>alert(1)</script><ul><li>Collyre</li><li>Lunettes</li></ul></body></html>',
    );
    expect(blocks).toEqual([
      { text: 'Ordonnance', style: 'heading' },
      { text: 'Cher confrère,\nle patient\u00a0va bien € & cœur', style: 'paragraph' },
      { text: 'Collyre', style: 'item' },
      { text: 'Lunettes', style: 'item' },
    ]);
  });
});

describe('plain text to paragraphs', () => {
  it('splits on blank lines and keeps line breaks inside a paragraph', () => {
    expect(textToBlocks('Madame,\r\n\r\nLigne 1\nLigne 2\n\n\n')).toEqual([
      { text: 'Madame,', style: 'paragraph' },
      { text: 'Ligne 1\nLigne 2', style: 'paragraph' },
    ]);
  });
});
