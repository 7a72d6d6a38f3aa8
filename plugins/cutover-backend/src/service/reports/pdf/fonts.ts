import { resolvePackagePath } from '@backstage/backend-plugin-api';
import * as fontkit from 'fontkit';
import fs from 'node:fs';

/** The three faces the reports use. */
export type FontFace = 'regular' | 'bold' | 'italic';

type FontKey = 'sans' | 'sansBold' | 'sansItalic' | 'cjk' | 'cjkBold';

// Noto Sans covers Latin (Polish, German, ...), Cyrillic and Greek; Noto Sans SC covers Chinese
// (simplified and traditional) and Japanese kana and kanji. Both ship as TrueType in npm packages
// the backend depends on, and pdfkit embeds only the glyphs a document uses.
const FILES: Record<FontKey, { pkg: string; file: string }> = {
  sans: {
    pkg: '@expo-google-fonts/noto-sans',
    file: '400Regular/NotoSans_400Regular.ttf',
  },
  sansBold: {
    pkg: '@expo-google-fonts/noto-sans',
    file: '700Bold/NotoSans_700Bold.ttf',
  },
  sansItalic: {
    pkg: '@expo-google-fonts/noto-sans',
    file: '400Regular_Italic/NotoSans_400Regular_Italic.ttf',
  },
  cjk: {
    pkg: '@expo-google-fonts/noto-sans-sc',
    file: '400Regular/NotoSansSC_400Regular.ttf',
  },
  cjkBold: {
    pkg: '@expo-google-fonts/noto-sans-sc',
    file: '700Bold/NotoSansSC_700Bold.ttf',
  },
};

/** Fonts tried in order for each face: the first with a glyph for a character sets it. */
const CHAINS: Record<FontFace, FontKey[]> = {
  regular: ['sans', 'cjk'],
  bold: ['sansBold', 'cjkBold'],
  italic: ['sansItalic', 'cjk'],
};

/**
 * Where text sits below the y it is drawn at, as a share of the font size. This is Helvetica's
 * ascender, which the report layout was drawn around; giving every font the same baseline also
 * keeps a CJK run on the line of the Latin text beside it.
 */
const BASELINE = 0.718;

interface LoadedFont {
  data: Buffer;
  font: fontkit.Font;
}

// Font files are read once per process, and the CJK ones only when some text needs them.
const loaded = new Map<FontKey, LoadedFont>();

function load(key: FontKey): LoadedFont {
  let f = loaded.get(key);
  if (!f) {
    const { pkg, file } = FILES[key];
    const data = fs.readFileSync(resolvePackagePath(pkg, file));
    f = { data, font: fontkit.create(data) as fontkit.Font };
    loaded.set(key, f);
  }
  return f;
}

/** A piece of text set in one font. */
export interface TextRun {
  font: FontKey;
  text: string;
}

/**
 * Text of any script for a pdfkit document: splits it into runs of one font each (Noto Sans,
 * falling back to Noto Sans SC for what it lacks), measures and draws them. Characters no font
 * has become '?'; line breaks and tabs become spaces.
 */
export class PdfText {
  private readonly registered = new Set<FontKey>();
  private readonly runCache = new Map<string, TextRun[]>();

  constructor(private readonly doc: PDFKit.PDFDocument) {}

  /** The text as runs of one font each. */
  runs(text: string, face: FontFace): TextRun[] {
    const cacheKey = `${face}\u0000${text}`;
    const cached = this.runCache.get(cacheKey);
    if (cached) return cached;
    const chain = CHAINS[face];
    const runs: TextRun[] = [];
    for (const ch of text.normalize('NFC')) {
      const current: TextRun | undefined = runs[runs.length - 1];
      const cp = ch.codePointAt(0)!;
      let shown = ch;
      if (cp === 0x09 || cp === 0x0a || cp === 0x0d) shown = ' ';
      else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) continue;
      const code = shown.codePointAt(0)!;
      // Spaces and Latin punctuation between CJK words stay in Noto Sans too: the CJK font's
      // are full-width.
      let key = chain.find(k => load(k).font.hasGlyphForCodePoint(code));
      if (!key) {
        shown = '?';
        key = current?.font ?? chain[0];
      }
      if (current && current.font === key) current.text += shown;
      else runs.push({ font: key, text: shown });
    }
    if (this.runCache.size > 5000) this.runCache.clear();
    this.runCache.set(cacheKey, runs);
    return runs;
  }

  /** The text as it will print: unknown characters as '?', control characters gone. */
  printable(text: string, face: FontFace = 'regular'): string {
    return this.runs(text, face)
      .map(r => r.text)
      .join('');
  }

  private use(key: FontKey, size: number) {
    if (!this.registered.has(key)) {
      this.doc.registerFont(key, load(key).data);
      this.registered.add(key);
    }
    this.doc.font(key).fontSize(size);
  }

  /** Width of the text in points, with `spacing` points between characters. */
  width(text: string, face: FontFace, size: number, spacing = 0): number {
    let w = 0;
    let chars = 0;
    for (const run of this.runs(text, face)) {
      this.use(run.font, size);
      w += this.doc.widthOfString(run.text);
      chars += [...run.text].length;
    }
    return w + spacing * Math.max(0, chars - 1);
  }

  /**
   * Draws one line of text with its top at (x, y): never wrapped, never starting a page.
   * Returns its width.
   */
  draw(
    text: string,
    x: number,
    y: number,
    style: { face: FontFace; size: number; color: string; spacing?: number },
  ): number {
    const { doc } = this;
    const spacing = style.spacing ?? 0;
    let left = x;
    if (spacing) doc.save();
    for (const run of this.runs(text, style.face)) {
      this.use(run.font, style.size);
      doc.fillColor(style.color).text(run.text, left, y, {
        lineBreak: false,
        baseline: -BASELINE * style.size,
        ...(spacing ? { characterSpacing: spacing } : {}),
      });
      left += doc.widthOfString(run.text) + spacing * [...run.text].length;
    }
    // pdfkit sets the character spacing (Tc) without resetting it; keep it from leaking.
    if (spacing) doc.restore();
    return left - x - (spacing && left > x ? spacing : 0);
  }
}
