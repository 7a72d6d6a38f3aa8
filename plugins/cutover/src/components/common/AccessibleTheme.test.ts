import { createTheme, getContrastRatio } from '@material-ui/core/styles';
import { accessibleTheme, MIN_CONTRAST, withContrast } from './AccessibleTheme';

describe('AccessibleTheme', () => {
  it('darkens a color on a light background until it reaches AA contrast', () => {
    // MUI's default green on white: 2.8:1.
    expect(getContrastRatio('#4caf50', '#ffffff')).toBeLessThan(MIN_CONTRAST);
    const fixed = withContrast('#4caf50', '#ffffff');
    expect(getContrastRatio(fixed, '#ffffff')).toBeGreaterThanOrEqual(MIN_CONTRAST);
  });

  it('lightens a color on a dark background', () => {
    const fixed = withContrast('#1f5493', '#333333');
    expect(getContrastRatio(fixed, '#333333')).toBeGreaterThanOrEqual(MIN_CONTRAST);
  });

  it('leaves a color that has the contrast already', () => {
    expect(withContrast('#000000', '#ffffff')).toBe('#000000');
  });

  it('gives every intent and secondary text AA contrast on the page and on cards', () => {
    const outer = createTheme({
      palette: { background: { default: '#f5f5f5', paper: '#ffffff' }, text: { secondary: '#717171' } },
    });
    const theme = accessibleTheme(outer);
    for (const intent of ['primary', 'secondary', 'error', 'warning', 'info', 'success'] as const) {
      for (const bg of ['#f5f5f5', '#ffffff']) {
        expect(getContrastRatio(theme.palette[intent].main, bg)).toBeGreaterThanOrEqual(MIN_CONTRAST);
        expect(getContrastRatio(theme.palette[intent].dark, bg)).toBeGreaterThanOrEqual(MIN_CONTRAST);
      }
    }
    expect(getContrastRatio(theme.palette.text.secondary, '#f5f5f5')).toBeGreaterThanOrEqual(MIN_CONTRAST);
    // The rest of the theme is the portal's.
    expect(theme.typography).toBe(outer.typography);
    expect(theme.palette.background).toBe(outer.palette.background);
  });
});
