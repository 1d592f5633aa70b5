import { describe, expect, it } from 'vitest';
import { detectEntities, parseHtml } from '../../src/fake-telegram/formatting.ts';

// Expected values follow Telegram's behaviour (tdlib's parser and its published test cases).

describe('parseHtml', () => {
  it.each([
    {
      markup: '<b>Trial</b> at <i>9:00</i>',
      text: 'Trial at 9:00',
      entities: [
        { type: 'bold', offset: 0, length: 5 },
        { type: 'italic', offset: 9, length: 4 },
      ],
    },
    { markup: 'a &lt; b &amp;&amp; c &gt; d &quot;q&quot;', text: 'a < b && c > d "q"', entities: [] },
    { markup: '&ge; &Or; &#12345678;', text: '&ge; &Or; &#12345678;', entities: [] },
    { markup: '&#128170; &#x1F4AA;', text: '💪 💪', entities: [] },
    { markup: '<b>x</b>&lt', text: 'x<', entities: [{ type: 'bold', offset: 0, length: 1 }] },
    {
      markup: '🏟 <u>x</u>',
      text: '🏟 x',
      entities: [{ type: 'underline', offset: 3, length: 1 }],
    },
    {
      markup: '<a href="https://example.com/x?a=1&amp;b=2">link</a>',
      text: 'link',
      entities: [{ type: 'text_link', offset: 0, length: 4, url: 'https://example.com/x?a=1&b=2' }],
    },
    {
      markup: '<a href=telegram.org>x</a>',
      text: 'x',
      entities: [{ type: 'text_link', offset: 0, length: 1, url: 'http://telegram.org/' }],
    },
    { markup: '<a>not a link</a>', text: 'not a link', entities: [] },
    {
      markup: '<pre><code class="language-ts">const x = 1;</code></pre>',
      text: 'const x = 1;',
      entities: [{ type: 'pre', offset: 0, length: 12, language: 'ts' }],
    },
    {
      markup: '<pre><code>x</code></pre>',
      text: 'x',
      entities: [
        { type: 'pre', offset: 0, length: 1 },
        { type: 'code', offset: 0, length: 1 },
      ],
    },
    {
      markup: '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>',
      text: 'st',
      entities: [
        { type: 'spoiler', offset: 0, length: 1 },
        { type: 'spoiler', offset: 1, length: 1 },
      ],
    },
    {
      markup: '<blockquote expandable>long</blockquote>',
      text: 'long',
      entities: [{ type: 'expandable_blockquote', offset: 0, length: 4 }],
    },
    {
      markup: '<code><i><b> </b></i></code>',
      text: ' ',
      entities: [
        { type: 'code', offset: 0, length: 1 },
        { type: 'bold', offset: 0, length: 1 },
        { type: 'italic', offset: 0, length: 1 },
      ],
    },
    { markup: '<b></b>empty tags vanish', text: 'empty tags vanish', entities: [] },
    {
      markup: '<i    aba  =  190azAz-.   >a</>',
      text: 'a',
      entities: [{ type: 'italic', offset: 0, length: 1 }],
    },
  ])('$markup', ({ markup, text, entities }) => {
    expect(parseHtml(markup)).toEqual({ text, entities });
  });

  it.each([
    ['<br>', 'Unsupported start tag "br" at byte offset 0'],
    ['🏟 🏟&lt;<abac aba>', 'Unsupported start tag "abac" at byte offset 13'],
    ['🏟 🏟&lt;<abacaba', 'Unclosed start tag at byte offset 13'],
    ['🏟 🏟&lt;<i>a</em   >', 'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"'],
    ['🏟 🏟&lt;<i>a</i   ', 'Unclosed end tag at byte offset 17'],
    ['x </b>', 'Unexpected end tag at byte offset 2'],
    ['<b>open', 'Can\'t find end tag corresponding to start tag "b"'],
    ['🏟 🏟&lt;<i   =aba>', 'Empty attribute name in the tag "i" at byte offset 13'],
    ['🏟 🏟&lt;<i    aba  =  190azAz-.,', 'Unexpected end of name token at byte offset 27'],
    ['<span>x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'],
    [
      '&#xDFDF;',
      'Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units',
    ],
  ])('rejects %s', (markup, message) => {
    expect(() => parseHtml(markup)).toThrow(message);
  });
});

describe('detectEntities', () => {
  it('finds commands, mentions, links and e-mail addresses but leaves file names and code alone', () => {
    const text =
      'Try /book@trial_bot or mail hi@studio.com, see https://studio.com/x. plan.pdf `/notacommand`';
    const codeStart = text.indexOf('`');
    const result = detectEntities({ text, entities: [{ type: 'code', offset: codeStart, length: 14 }] });
    const found = result.entities.map((entity) => [
      entity.type,
      text.slice(entity.offset, entity.offset + entity.length),
    ]);
    expect(found).toEqual([
      ['bot_command', '/book@trial_bot'],
      ['email', 'hi@studio.com'],
      ['url', 'https://studio.com/x'],
      ['code', '`/notacommand`'],
    ]);
  });
});
