import {
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
 * The color, darkened (on a light background) or lightened (on a dark one) in small steps until it
 * has at least `ratio` contrast with `background`; unchanged when it has already.
 */
export function withContrast(color: string, background: string, ratio = MIN_CONTRAST): string {
  const towards = getLuminance(background) > 0.5 ? darken : lighten;
  let c = color;
  for (let i = 0; i < 20 && getContrastRatio(c, background) < ratio; i++) {
    c = towards(c, 0.06);
  }
  return c;
}

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
  // The worse of the two backgrounds decides.
  const onBoth = (c: string) => withContrast(withContrast(c, paper), page);
  const intents: Record<string, unknown> = {};
  for (const intent of INTENTS) {
    const p = palette[intent];
    if (!p?.main) continue;
    intents[intent] = { ...p, main: onBoth(p.main), dark: onBoth(p.dark ?? p.main) };
  }
  return {
    ...outer,
    palette: {
      ...palette,
      ...intents,
      text: { ...palette.text, secondary: onBoth(palette.text.secondary) },
    } as Theme['palette'],
  };
}

/** Renders its children with {@link accessibleTheme}. */
export function AccessibleTheme(props: { children: ReactNode }) {
  return <ThemeProvider theme={accessibleTheme}>{props.children}</ThemeProvider>;
}
