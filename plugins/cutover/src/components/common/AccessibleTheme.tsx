import {
  decomposeColor,
  darken,
  getContrastRatio,
  getLuminance,
  lighten,
  Theme,
  ThemeProvider,
} from '@material-ui/core/styles';
import { ReactNode } from 'react';

/** WCAG AA for normal text. */
export const MIN_CONTRAST = 4.5;

/**
 * A translucent color (MUI's secondary text is `rgba(0, 0, 0, 0.54)`) as it shows on `background`:
 * contrast is a matter of what is painted, and the alpha would otherwise be ignored.
 */
export function flatten(color: string, background: string): string {
  const c = decomposeColor(color);
  const alpha = c.type.endsWith('a') ? c.values[3] ?? 1 : 1;
  if (alpha >= 1 || c.type.startsWith('hsl')) return color;
  const bg = decomposeColor(background).values;
  const mix = [0, 1, 2].map(i => Math.round(c.values[i] * alpha + bg[i] * (1 - alpha)));
  return `rgb(${mix.join(', ')})`;
}

/**
 * The color, darkened (on a light background) or lightened (on a dark one) in small steps until it
 * has at least `ratio` contrast with `background`; unchanged when it has already.
 */
export function withContrast(color: string, background: string, ratio = MIN_CONTRAST): string {
  const towards = getLuminance(background) > 0.5 ? darken : lighten;
  let c = flatten(color, background);
  if (getContrastRatio(c, background) >= ratio) return color;
  for (let i = 0; i < 20 && getContrastRatio(c, background) < ratio; i++) {
    c = towards(c, 0.06);
  }
  return c;
}

/** What secondary text aims for: AA with a margin for a page painted a shade darker. */
const TEXT_CONTRAST = 5;

const INTENTS = ['primary', 'secondary', 'error', 'warning', 'info', 'success'] as const;

/**
 * The portal's theme with the colors the tabs use for text and for chips under white text
 * (`main` and `dark` of each intent, and secondary text) adjusted to WCAG AA contrast on the
 * page's and cards' backgrounds. A theme that meets it already stays as it is.
 */
export function accessibleTheme(outer: Theme): Theme {
  const { palette } = outer;
  const paper = palette.background.paper;
  const page = palette.background.default;
  // The worse of the two backgrounds decides. The page itself may be painted a shade off the theme's
  // `background.default` (the app shell's own styles): text keeps a margin above AA.
  const onBoth = (c: string, ratio = MIN_CONTRAST) =>
    withContrast(withContrast(c, paper, ratio), page, ratio);
  const intents: Record<string, unknown> = {};
  for (const intent of INTENTS) {
    const p = palette[intent];
    if (!p?.main) continue;
    intents[intent] = { ...p, main: onBoth(p.main), dark: onBoth(p.dark ?? p.main) };
  }
  const secondary = onBoth(palette.text.secondary, TEXT_CONTRAST);
  const overrides = outer.overrides ?? {};
  return {
    ...outer,
    palette: {
      ...palette,
      ...intents,
      text: { ...palette.text, secondary },
    } as Theme['palette'],
    // Themes may pin Typography's secondary color in an override: that one too.
    overrides: {
      ...overrides,
      MuiTypography: {
        ...overrides.MuiTypography,
        colorTextSecondary: {
          ...(overrides.MuiTypography?.colorTextSecondary as object),
          color: secondary,
        },
      },
    },
  };
}

/** Renders its children with {@link accessibleTheme}. */
export function AccessibleTheme(props: { children: ReactNode }) {
  return <ThemeProvider theme={accessibleTheme}>{props.children}</ThemeProvider>;
}
